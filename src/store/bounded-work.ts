/*
 * How much one write may do. No transaction may hold the SQLite writer (or a PostgreSQL
 * transaction its locks) for long, whatever a tenant asks: a publish to thousands of webhooks, or
 * the deletion of a webhook with a deep queue, finishes in the background in chunks of these sizes.
 */

/** An event with more subscribers than this has its deliveries created in the background. */
export const INLINE_FANOUT_MAX = 100;

/** A flush of publishes creates at most this many deliveries itself; later events' wait for the background. */
export const FLUSH_FANOUT_MAX = 1_000;

/**
 * Webhooks one background step of fan-outs looks at, across as many deferred events as fit (and
 * deliveries it creates at most).
 */
export const FANOUT_CHUNK = 250;

/** Deliveries, and dead letters, one background step of a webhook's purge deletes. */
export const PURGE_CHUNK = 500;

/** Events one chunk of a retention sweep looks at, and deliveries it deletes at most. */
export const RETENTION_CHUNK = 500;

/** Dead letters one transaction of a discard removes; a bulk discard goes on chunk after chunk. */
export const DISCARD_CHUNK = 500;

/** Dead letters one transaction of a replay queues again; Replay All goes on chunk after chunk. */
export const REPLAY_CHUNK = 500;
