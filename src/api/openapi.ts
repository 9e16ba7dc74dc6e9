import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import type { OpenAPIV3 } from 'openapi-types';
import { HERALD_VERSION } from '../version.js';
import { ErrorBody } from './schemas/shapes.js';

/**
 * The OpenAPI document around the routes, and what it derives from them, so that a route declares
 * only what is its own (its operationId, its 403/409/429) and a new route is documented like the rest:
 * the errors every route of its kind can answer, and whether its body may be left out.
 */

type Document = Partial<OpenAPIV3.Document>;
type Operation = OpenAPIV3.OperationObject;
type Schema = OpenAPIV3.ReferenceObject | OpenAPIV3.SchemaObject;

const SCHEMAS = '#/components/schemas/';
const ERROR_SCHEMA_REF = `${SCHEMAS}Error`;

/** What an error status means on any route; `error.code` says which case it is. */
const ERROR_MEANINGS: Record<string, string> = {
  400: 'Malformed request: invalid JSON, query string, cursor or path (INVALID_JSON, INVALID_REQUEST, INVALID_CURSOR)',
  401: 'No valid API key or portal link token (UNAUTHORIZED, PORTAL_LINK_EXPIRED, PORTAL_LINK_INVALID)',
  403: 'Only the admin key may do this (ADMIN_KEY_REQUIRED)',
  404: "The tenant or the item does not exist, or is another tenant's (…_NOT_FOUND)",
  409: 'Refused in the current state; `error.code` says why',
  413: 'The body is over the size limit (PAYLOAD_TOO_LARGE)',
  414: 'A path parameter is longer than any id or name (URI_TOO_LONG)',
  415: 'The body is not JSON (UNSUPPORTED_MEDIA_TYPE)',
  422: 'The body is well-formed but refused (VALIDATION_FAILED and the codes of the route)',
  429: 'Over a publish rate; retry after Retry-After seconds (RATE_LIMITED)',
  503: 'Herald is shutting down or its database is unavailable; retry shortly (SERVICE_UNAVAILABLE)',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const METHODS_WITH_BODY = new Set<string>(['post', 'put', 'patch']);

const isReference = (value: unknown): value is OpenAPIV3.ReferenceObject =>
  typeof value === 'object' && value !== null && '$ref' in value;

/** The error statuses an operation can answer for what it is, whatever its handler does. */
function errorStatusesOf(method: string, operation: Operation, document: Document): string[] {
  const statuses = ['400', '503'];
  if ((operation.security ?? document.security ?? []).length > 0) statuses.push('401');
  if ((operation.parameters ?? []).some((parameter) => !isReference(parameter) && parameter.in === 'path')) {
    statuses.push('404', '414');
  }
  // The JSON parser runs for every body, even on the action routes that read none.
  if (METHODS_WITH_BODY.has(method)) statuses.push('413', '415');
  if (operation.requestBody) statuses.push('422');
  return statuses;
}

function errorResponse(status: string): OpenAPIV3.ResponseObject {
  return {
    description: ERROR_MEANINGS[status] ?? 'An error',
    ...(status === '429'
      ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } }
      : {}),
    content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } },
  };
}

function isErrorResponse(response: OpenAPIV3.ReferenceObject | OpenAPIV3.ResponseObject): boolean {
  const schema = isReference(response) ? undefined : response.content?.['application/json']?.schema;
  return schema !== undefined && isReference(schema) && schema.$ref === ERROR_SCHEMA_REF;
}

/**
 * A missing body is read as `{}` (see buildServer), so an object body that `{}` satisfies (no required
 * property, no minProperties) may be left out, as `curl -X POST` does. Any other shape stays required.
 */
function bodyIsRequired(document: Document, body: OpenAPIV3.RequestBodyObject): boolean {
  let schema: Schema | undefined = body.content['application/json']?.schema;
  if (schema && isReference(schema))
    schema = document.components?.schemas?.[schema.$ref.slice(SCHEMAS.length)];
  if (!schema || isReference(schema) || schema.type !== 'object') return true;
  return (schema.required ?? []).length > 0 || (schema.minProperties ?? 0) > 0;
}

const isNamed = (schema: unknown): schema is { $id: string } =>
  typeof schema === 'object' && schema !== null && '$id' in schema;

/**
 * @fastify/swagger makes components of the schemas with an `$id` nested in a route's, not of a route's
 * own body or answer: those are wrapped in an `allOf` here, for `simplify` to unwrap into a `$ref`.
 */
function nestNamedSchemas(schema: FastifySchema): FastifySchema {
  const nest = (part: unknown) => (isNamed(part) ? { allOf: [part] } : part);
  const nested: FastifySchema = { ...schema, body: nest(schema.body) };
  if (schema.response) {
    const answers = Object.entries(schema.response as Record<string, unknown>);
    nested.response = Object.fromEntries(answers.map(([status, part]) => [status, nest(part)]));
  }
  return nested;
}

/** OpenAPI 3.0 writes an exclusive bound as a flag beside `minimum`/`maximum`; TypeBox as a number. */
function openapi30Bounds(schema: Record<string, unknown>): Record<string, unknown> {
  const bounds: Record<string, unknown> = {};
  for (const [exclusive, inclusive] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const bound = schema[exclusive];
    if (typeof bound === 'number') Object.assign(bounds, { [inclusive]: bound, [exclusive]: true });
  }
  return bounds;
}

/** The document in plain OpenAPI 3.0: an `allOf` of one `$ref` is that `$ref`; bounds as 3.0 writes them. */
function simplify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(simplify);
  if (typeof value !== 'object' || value === null) return value;
  const { allOf } = value as { allOf?: unknown };
  if (
    Array.isArray(allOf) &&
    allOf.length === 1 &&
    Object.keys(value).length === 1 &&
    isReference(allOf[0])
  ) {
    return allOf[0];
  }
  const simplified = Object.fromEntries(Object.entries(value).map(([key, child]) => [key, simplify(child)]));
  return { ...simplified, ...openapi30Bounds(simplified) };
}

/** Adds to every operation what it derives from the routes; exported for its tests. */
export function completeDocument(generated: Document, publicUrl: string | null): Document {
  const document = simplify(generated) as Document;
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem?.[method];
      if (!operation) continue;
      if (operation.requestBody && !isReference(operation.requestBody)) {
        operation.requestBody.required = bodyIsRequired(document, operation.requestBody);
      }
      for (const status of errorStatusesOf(method, operation, document)) {
        operation.responses[status] ??= errorResponse(status);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (ERROR_MEANINGS[status] && isErrorResponse(response))
          operation.responses[status] = errorResponse(status);
      }
    }
  }
  // The error answers above refer to it, even if no route names it.
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Error ??= JSON.parse(JSON.stringify({ ...ErrorBody, $id: undefined }));
  return { ...document, servers: [{ url: publicUrl ?? '/' }] };
}

/** @fastify/swagger's options: `publicUrl` is read when the document is first asked for. */
export function openapiOptions(publicUrl: () => string | null): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Herald',
        version: HERALD_VERSION,
        description:
          'Self-hosted webhook delivery: signed, retried, dead-lettered, replayable. Errors answer ' +
          '`{"error":{"code","message"}}`; clients branch on the stable `code`.',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
        // Whoever runs this installation answers for it; Herald has no address of its own to give.
        contact: { name: 'The operators of this Herald installation' },
      },
      tags: [
        { name: 'system', description: 'Liveness, readiness and metrics' },
        { name: 'tenants', description: 'Tenants, their API keys, limits and console links' },
        { name: 'event types', description: 'The catalogue of event types webhooks subscribe to' },
        { name: 'webhooks', description: 'Endpoints that receive a tenant’s events, and their secrets' },
        { name: 'events', description: 'Publishing events to be delivered' },
        { name: 'deliveries', description: 'Delivery attempts, and sending one again' },
        { name: 'dead letter queue', description: 'Deliveries that failed every attempt' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Components take the schemas' `$id`s, so a generated client has a `Webhook`, not a `def-2`.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    // The document is OpenAPI 3.0 (`openapi` above), whatever else @fastify/swagger's types allow.
    // A route without a schema (the console's files) comes here too.
    transform: ({ schema, url }) => ({ schema: schema && nestNamedSchemas(schema), url }),
    transformObject: (document) =>
      'openapiObject' in document
        ? completeDocument(document.openapiObject as Partial<OpenAPIV3.Document>, publicUrl())
        : document.swaggerObject,
  };
}
