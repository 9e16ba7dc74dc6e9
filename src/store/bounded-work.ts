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

/**
 * On SQLite a step of fan-outs runs on the event loop, so it also stops after this long, wherever it
 * has come: a request that arrives meanwhile waits for the step, and an answer takes a few turns of
 * the loop. On a machine three times slower than the benchmark's, a step of FANOUT_CHUNK deliveries
 * took a median 5.5 ms; beside a fan-out to 5,000 webhooks (test/e2e/fairness.test.ts) /healthz
 * answered in 14–17 ms (p50) and 45–50 ms (p99) with steps of up to 5 ms, in 9 and 33–35 ms with 2.
 */
export const FANOUT_STEP_MS = 2;

/** Deliveries, and dead letters, one background step of a webhook's purge deletes. */
export const PURGE_CHUNK = 500;

/** Events one chunk of a retention sweep looks at, and deliveries it deletes at most. */
export const RETENTION_CHUNK = 500;

/** Dead letters one transaction of a discard removes; a bulk discard goes on chunk after chunk. */
export const DISCARD_CHUNK = 500;

/** Dead letters one transaction of a replay queues again; Replay All goes on chunk after chunk. */
export const REPLAY_CHUNK = 500;
