/** Largest request body, and so largest event: the documented limit. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Largest batch request: MAX_BATCH_EVENTS events of 16 KB on average (each within BODY_LIMIT_BYTES). */
export const BATCH_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Most attempts an event's timeline lists (a fan-out to many webhooks with retries can have more). */
export const EVENT_TIMELINE_ATTEMPTS = 500;
