/**
 * A reference, not Herald: the minimal durable relay on PostgreSQL (bench/lib/durable-relay-pg.ts),
 * laid out as the `postgres` scenario runs Herald, under its load.
 */
import type { Scenario } from './scenario.js';
import { postgresSkipReason, withDatabase } from './shared/postgres-database.js';
import { measureReference, REFERENCE_FIGURES, startRemote } from './shared/reference.js';

const WORKERS = 2;

export const relayPostgres: Scenario = {
  id: 'relay-postgres',
  title: `Reference: the minimal durable relay on PostgreSQL, API process + ${WORKERS} worker processes (prepared statements, SKIP LOCKED claims; no auth, validation, retries or history), single-event publishes, one webhook`,
  figures: REFERENCE_FIGURES,
  runs: (_ctx, full) => full,
  skip: postgresSkipReason,
  measure: (ctx) =>
    withDatabase(ctx, (database) =>
      measureReference(ctx, {
        name: 'durable relay on PostgreSQL',
        events: ctx.sizes.postgresEvents,
        details: { workers: WORKERS },
        async launch(port, targetUrl, started) {
          const module = './durable-relay-pg.ts';
          await startRemote(started, 'relay api', module, 'startApi', { database, port });
          for (let i = 0; i < WORKERS; i++) {
            await startRemote(started, `relay worker ${i}`, module, 'startWorker', { database, targetUrl });
          }
        },
      }),
    ),
};
