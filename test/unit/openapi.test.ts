import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeDocument } from '../../src/api/openapi.js';

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const jsonOf = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const pathParameter = { in: 'path', name: 'id', required: true, schema: { type: 'string' } };

/** A document as @fastify/swagger hands it over: one path, the operations given, one body schema. */
function documentWith(operations: Record<string, Record<string, unknown>>) {
  return {
    openapi: '3.0.3',
    security: [{ bearer: [] }],
    components: {
      schemas: {
        Error: { type: 'object' },
        CreateThing: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
        ReplayThings: { type: 'object', properties: { webhookId: { type: 'string' } } },
        UpdateThing: { type: 'object', minProperties: 1, properties: { url: { type: 'string' } } },
      },
    },
    paths: { '/v1/things/{id}': operations },
  };
}

/** The document completed, loosely typed to read back. */
const complete = (document: object, publicUrl: string | null): any =>
  completeDocument(document as Parameters<typeof completeDocument>[0], publicUrl);

const statusesOf = (operation: any) => Object.keys(operation.responses).sort();

describe('completeDocument: what the OpenAPI document derives from the routes', () => {
  it('declares the errors an operation can answer for what it takes', () => {
    const document = complete(
      documentWith({
        post: {
          parameters: [pathParameter],
          requestBody: { required: true, ...jsonOf({ $ref: '#/components/schemas/CreateThing' }) },
          responses: { 201: { description: 'Default Response' } },
        },
        get: { parameters: [pathParameter], responses: { 200: { description: 'Default Response' } } },
      }),
      null,
    );
    const { post, get } = document.paths['/v1/things/{id}'];
    assert.deepEqual(statusesOf(post), ['201', '400', '401', '404', '413', '414', '415', '422', '503']);
    assert.deepEqual(statusesOf(get), ['200', '400', '401', '404', '414', '503']);
    assert.deepEqual(post.responses['415'].content['application/json'].schema, ERROR_REF);
    assert.match(post.responses['415'].description, /UNSUPPORTED_MEDIA_TYPE/);
  });

  it('declares neither 401 for a route without security, nor 404 without path parameters', () => {
    const document = complete(
      { ...documentWith({}), paths: { '/healthz': { get: { security: [], responses: {} } } } },
      null,
    );
    assert.deepEqual(statusesOf(document.paths['/healthz'].get), ['400', '503']);
  });

  it('describes the error statuses a route declares itself, and keeps its other answers', () => {
    const document = complete(
      documentWith({
        delete: {
          responses: {
            204: { description: 'Default Response' },
            409: { description: 'x', ...jsonOf(ERROR_REF) },
          },
        },
      }),
      null,
    );
    const { responses } = document.paths['/v1/things/{id}'].delete;
    assert.equal(responses['204'].description, 'Default Response');
    assert.match(responses['409'].description, /current state/);
  });

  it('requires a body only when `{}` would not do', () => {
    const body = (name: string) => ({ required: true, ...jsonOf({ $ref: `#/components/schemas/${name}` }) });
    const document = complete(
      documentWith({
        post: { requestBody: body('CreateThing'), responses: {} },
        put: { requestBody: body('ReplayThings'), responses: {} },
        patch: { requestBody: body('UpdateThing'), responses: {} },
        delete: { requestBody: { required: true, ...jsonOf({ type: 'object' }) }, responses: {} },
        get: { requestBody: { required: true, ...jsonOf({ type: 'array' }) }, responses: {} },
      }),
      null,
    );
    const operations = document.paths['/v1/things/{id}'];
    assert.equal(operations.post.requestBody.required, true);
    assert.equal(operations.put.requestBody.required, false);
    assert.equal(operations.patch.requestBody.required, true);
    assert.equal(operations.delete.requestBody.required, false);
    assert.equal(operations.get.requestBody.required, true);
  });

  it('writes schemas as OpenAPI 3.0: a lone `allOf` reference unwrapped, exclusive bounds as flags', () => {
    const document = complete(
      documentWith({
        get: {
          responses: { 200: { description: 'Default Response', ...jsonOf({ allOf: [{ $ref: '#/x' }] }) } },
        },
        put: {
          requestBody: jsonOf({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 5 }),
          responses: {
            200: { description: 'Default Response', ...jsonOf({ allOf: [{ $ref: '#/x' }, {}] }) },
          },
        },
      }),
      null,
    );
    const { get, put } = document.paths['/v1/things/{id}'];
    assert.deepEqual(get.responses['200'].content['application/json'].schema, { $ref: '#/x' });
    assert.deepEqual(put.responses['200'].content['application/json'].schema, {
      allOf: [{ $ref: '#/x' }, {}],
    });
    assert.deepEqual(put.requestBody.content['application/json'].schema, {
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 5,
      exclusiveMaximum: true,
    });
  });

  it('serves from HERALD_PUBLIC_URL, else from where the document was fetched', () => {
    assert.deepEqual(complete(documentWith({}), 'https://hooks.example.org').servers, [
      { url: 'https://hooks.example.org' },
    ]);
    assert.deepEqual(complete(documentWith({}), null).servers, [{ url: '/' }]);
  });
});
