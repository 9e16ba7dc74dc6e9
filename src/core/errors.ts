/**
 * The one catalogue of errors Herald answers with. Every code is stable (clients branch on it) and
 * carries its HTTP status; the message is a sentence a person can act on.
 */
export const ERROR_STATUS = {
  INVALID_JSON: 400,
  INVALID_REQUEST: 400,
  INVALID_CURSOR: 400,
  UNAUTHORIZED: 401,
  PORTAL_LINK_EXPIRED: 401,
  PORTAL_LINK_INVALID: 401,
  ADMIN_KEY_REQUIRED: 403,
  ROUTE_NOT_FOUND: 404,
  TENANT_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  DELIVERY_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  EVENT_TYPE_NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  TENANT_EXISTS: 409,
  IDEMPOTENCY_CONFLICT: 409,
  EVENT_TYPE_EXISTS: 409,
  EVENT_TYPE_PROTECTED: 409,
  EVENT_TYPE_IN_USE: 409,
  WEBHOOK_DISABLED: 409,
  PUBLIC_URL_REQUIRED: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  UNKNOWN_EVENT_TYPE: 422,
  EVENT_TYPE_RESERVED: 422,
  SCHEMA_MISMATCH: 422,
  INVALID_URL: 422,
  URL_NOT_ALLOWED: 422,
  QUOTA_EXCEEDED: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class HeraldError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** When the request may succeed if repeated, in seconds: the answer's Retry-After header. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HeraldError';
    this.status = ERROR_STATUS[code];
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const notFound = {
  tenant: (id: string) => new HeraldError('TENANT_NOT_FOUND', `Tenant ${id} does not exist.`),
  apiKey: (id: string) =>
    new HeraldError('API_KEY_NOT_FOUND', `API key ${id} does not exist in this tenant.`),
  webhook: (id: string) =>
    new HeraldError('WEBHOOK_NOT_FOUND', `Webhook ${id} does not exist in this tenant.`),
  delivery: (id: string) =>
    new HeraldError('DELIVERY_NOT_FOUND', `Delivery ${id} does not exist in this tenant.`),
  event: (id: string) => new HeraldError('EVENT_NOT_FOUND', `Event ${id} does not exist in this tenant.`),
  deadLetter: (id: string) =>
    new HeraldError('DEAD_LETTER_NOT_FOUND', `Dead letter ${id} does not exist in this tenant's DLQ.`),
  eventType: (name: string) =>
    new HeraldError('EVENT_TYPE_NOT_FOUND', `Event type ${name} is not in the catalogue.`),
};

export function tenantExists(id: string): HeraldError {
  return new HeraldError(
    'TENANT_EXISTS',
    `A tenant with id ${id} already exists, or is still being deleted.`,
  );
}

export function idempotencyConflict(id: string): HeraldError {
  return new HeraldError(
    'IDEMPOTENCY_CONFLICT',
    `Event id ${id} was already published with a different event type or data. Reuse an id only to ` +
      'retry the same event; give a new event a new id.',
  );
}

export function unknownEventType(name: string): HeraldError {
  return new HeraldError(
    'UNKNOWN_EVENT_TYPE',
    `Unknown event type "${name}". GET /v1/event-types lists the known types; an admin can add more.`,
  );
}
