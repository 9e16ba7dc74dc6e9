/** Largest request body, and so largest event: the documented limit. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Largest batch request: up to 1,000 events, each within BODY_LIMIT_BYTES once serialized. */
export const BATCH_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
