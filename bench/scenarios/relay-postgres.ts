/**
 * A reference, not Herald: the minimal durable relay on PostgreSQL (bench/lib/durable-relay-pg.ts),
 * laid out as the `postgres` scenario runs Herald, under its load; and its API process alone, for
 * what publishes it accepts with no worker running (as `postgres-backlog` measures Herald's).
 */
import { freePort } from '../lib/procs.js';
import type { Scenario } from './scenario.js';
import { load } from './shared/measure.js';
import { postgresSkipReason, withDatabase } from './shared/postgres-database.js';
import { measureReference, REFERENCE_FIGURES, startRemote, withRemotes } from './shared/reference.js';

const WORKERS = 2;
const MODULE = './durable-relay-pg.ts';

export const relayPostgres: Scenario = {
  id: 'relay-postgres',
  title: `Reference: the minimal durable relay on PostgreSQL, API process + ${WORKERS} worker processes (prepared statements, SKIP LOCKED claims; no auth, validation, retries or history), single-event publishes, one webhook`,
  figures: [
    ...REFERENCE_FIGURES,
    { key: 'publish', label: 'publishes accepted/s by the API process alone', unit: '/s' },
  ],
  runs: (_ctx, full) => full,
  skip: postgresSkipReason,
  async measure(ctx) {
    const endToEnd = await withDatabase(ctx, (database) =>
      measureReference(ctx, {
        name: 'durable relay on PostgreSQL',
        events: ctx.sizes.postgresEvents,
        details: { workers: WORKERS },
        async launch(port, targetUrl, started) {
          await startRemote(started, 'relay api', MODULE, 'startApi', { database, port });
          for (let i = 0; i < WORKERS; i++) {
            await startRemote(started, `relay worker ${i}`, MODULE, 'startWorker', { database, targetUrl });
          }
        },
      }),
    );
    const publish = await withDatabase(ctx, (database) =>
      withRemotes(async (started) => {
        const port = await freePort();
        await startRemote(started, 'relay api', MODULE, 'startApi', { database, port });
        const url = `http://127.0.0.1:${port}/events`;
        const result = await load(ctx, {
          kind: 'single',
          url,
          events: ctx.sizes.postgresEvents,
          concurrency: 64,
        });
        if (result.failedEvents > 0) throw new Error(`relay api: ${result.failedEvents} publishes failed`);
        return result.eventsPerSec;
      }),
    );
    return {
      values: { ...endToEnd.values, publish },
      details: { ...endToEnd.details, publishOnly: Math.round(publish) },
    };
  },
};
