import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HeraldError } from '../core/errors.js';
import { BATCH_BODY_LIMIT_BYTES, BODY_LIMIT_BYTES } from './limits.js';

/**
 * Every error Herald answers, whoever raised it (a route, Fastify, or Node's HTTP parser), leaves
 * in the catalogue's shape: clients branch on `error.code` and must never meet Fastify's own.
 */

/** The longest path parameter Fastify's router accepts; no id, name or key is longer. */
export const MAX_PARAM_LENGTH = 100;

const FASTIFY_ERRORS: Record<string, (error: FastifyError) => HeraldError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new HeraldError(
      'PAYLOAD_TOO_LARGE',
      `The request body is over the limit: ${BODY_LIMIT_BYTES / 1024} KB for one event, ` +
        `${BATCH_BODY_LIMIT_BYTES / 1024 / 1024} MB for a batch.`,
    ),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (error) =>
    new HeraldError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${error.message}; send JSON with Content-Type: application/json.`,
    ),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new HeraldError('INVALID_REQUEST', 'The Content-Length header does not match the body.'),
  FST_ERR_BAD_URL: () =>
    new HeraldError('INVALID_REQUEST', 'The request path has a malformed percent-encoding (such as %zz).'),
  FST_ERR_MAX_PARAM_LENGTH: () => paramTooLong(),
};

function paramTooLong(): HeraldError {
  return new HeraldError(
    'URI_TOO_LONG',
    `A path parameter is over ${MAX_PARAM_LENGTH} characters; no id or name is that long.`,
  );
}

/**
 * What a path no route matched is answered with. The router reports an over-long parameter only when
 * nothing else matches; the console's catch-all page route matches any GET, so it is found here.
 */
export function routeNotFound(method: string, path: string): HeraldError {
  if (path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) return paramTooLong();
  return new HeraldError('ROUTE_NOT_FOUND', `No route ${method} ${path}.`);
}

function toHeraldError(error: FastifyError): HeraldError {
  if (error instanceof HeraldError) return error;
  if (error.validation) {
    const isBody = error.validationContext === 'body';
    return new HeraldError(isBody ? 'VALIDATION_FAILED' : 'INVALID_REQUEST', `${error.message}.`);
  }
  const mapped = error.code ? FASTIFY_ERRORS[error.code] : undefined;
  if (mapped) return mapped(error);
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new HeraldError('INVALID_JSON', `The request body is not valid JSON: ${error.message}.`);
  }
  if (error.statusCode === 503)
    return new HeraldError('SERVICE_UNAVAILABLE', 'Herald is shutting down; retry shortly.');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new HeraldError('INVALID_REQUEST', error.message);
  }
  return new HeraldError('INTERNAL', 'Something went wrong inside Herald; the error has been logged.');
}

/** The error handler, and Fastify's `frameworkErrors` (errors of the router, before any route). */
export function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const herald = toHeraldError(error);
  if (herald.status >= 500 && herald.code !== 'SERVICE_UNAVAILABLE')
    request.log.error({ err: error }, 'request failed');
  if (herald.retryAfterSeconds !== undefined) reply.header('retry-after', herald.retryAfterSeconds);
  reply.status(herald.status).send(herald.toJSON());
}

/** What Node's HTTP parser refused, before Fastify saw a request. */
function clientErrorOf(error: NodeJS.ErrnoException): HeraldError {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return new HeraldError('HEADERS_TOO_LARGE', 'The request headers are over 16 KB.');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new HeraldError('REQUEST_TIMEOUT', 'The request did not arrive in time.');
  return new HeraldError(
    'INVALID_REQUEST',
    `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}).`,
  );
}

/** The server's `clientError` answer: Node's would be an empty 400, Fastify's its own shape. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const herald = clientErrorOf(error);
    const body = JSON.stringify(herald.toJSON());
    socket.write(
      `HTTP/1.1 ${herald.status} ${STATUS_CODES[herald.status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
