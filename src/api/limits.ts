/** Largest request body, and so largest event: the documented limit. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Most events one batch request may carry, whatever a tenant's limit says: a batch is stored in one
 * transaction, and a larger one would hold the database writer for too long.
 */
export const MAX_BATCH_EVENTS = 1_000;

/** Largest batch request: MAX_BATCH_EVENTS events of 16 KB on average (each within BODY_LIMIT_BYTES). */
export const BATCH_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Highest webhook count or publish rate that a setting or a tenant's own limit may name. */
export const MAX_QUOTA = 1_000_000;
