/**
 * A reference, not Herald: the minimal durable relay on PostgreSQL (bench/lib/durable-relay-pg.ts),
 * laid out as the `postgres` scenario runs Herald, under its load; and, as `postgres-backlog`
 * measures Herald, its API process alone taking publishes with no worker running, then that backlog
 * drained by its worker processes.
 */
import { freePort } from '../lib/procs.js';
import type { Remote } from '../lib/rpc.js';
import { DRAIN_FIGURES, DRAIN_WORKERS } from './postgres-backlog.js';
import type { Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { postgresSkipReason, withDatabase } from './shared/postgres-database.js';
import {
  measureReference,
  measureReferenceDrain,
  REFERENCE_FIGURES,
  startRemote,
  startWorkerRemotes,
  withRemotes,
} from './shared/reference.js';

const WORKERS = 2;
const MODULE = './durable-relay-pg.ts';

function startWorkers(started: Remote[], count: number, options: { database: string; targetUrl: string }) {
  return startWorkerRemotes(started, count, { name: 'relay worker', module: MODULE, options });
}

export const relayPostgres: Scenario = {
  id: 'relay-postgres',
  title: `Reference: the minimal durable relay on PostgreSQL, API process + ${WORKERS} worker processes (prepared statements, SKIP LOCKED claims; no auth, validation, retries or history), single-event publishes, one webhook`,
  figures: [
    ...REFERENCE_FIGURES,
    { key: 'publish', label: 'publishes accepted/s by the API process alone', unit: '/s' },
    ...DRAIN_FIGURES,
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
          await startWorkers(started, WORKERS, { database, targetUrl });
        },
      }),
    );
    // The same size and order as Herald's and the peers' backlogs: publishes first, then the workers.
    const backlog = await withDatabase(ctx, (database) =>
      withRemotes(async (started) => {
        const port = await freePort();
        await startRemote(started, 'relay api', MODULE, 'startApi', { database, port });
        const targetUrl = `${ctx.receiverUrl}/one/0`;
        return measureReferenceDrain(ctx, {
          what: 'relay-postgres backlog',
          database,
          port,
          startWorkers: () => startWorkers(started, DRAIN_WORKERS, { database, targetUrl }),
        });
      }),
    );
    return {
      values: {
        ...endToEnd.values,
        publish: backlog.queued.eventsPerSec,
        drain: backlog.stats.rate,
        drainWorkerCpuUs: backlog.workerCpuUs,
        drainDatabaseCpuUs: backlog.databaseCpuUs,
      },
      details: {
        ...endToEnd.details,
        backlog: { publisher: loadDetails(backlog.queued), receiver: receiverDetails(backlog.stats) },
      },
    };
  },
};
