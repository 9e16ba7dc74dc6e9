/**
 * The peers Herald on PostgreSQL is compared with: what a Node team would build on graphile-worker
 * and on pg-boss (bench/lib/peer-graphile.ts, peer-pgboss.ts), laid out as the `postgres` scenario
 * runs Herald: an API process and 2 worker processes on their own database. Three figures a run:
 * end to end with one insert per publish, end to end with batched publishes, and the drain of a
 * backlog published before the workers start.
 */
import { freePort } from '../lib/procs.js';
import type { Remote } from '../lib/rpc.js';
import { DRAIN_FIGURES, DRAIN_WORKERS } from './postgres-backlog.js';
import type { Context, FigureSpec, Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { postgresSkipReason, withDatabase } from './shared/postgres-database.js';
import {
  measureReference,
  measureReferenceDrain,
  startRemote,
  startWorkerRemotes,
  withRemotes,
} from './shared/reference.js';

const WORKERS = 2;

interface Peer {
  id: string;
  name: string;
  /** The forked module serving startApi / startWorker / close (bench/lib/peer-postgres.ts). */
  module: string;
  settings: string;
}

export const PEER_FIGURES: FigureSpec[] = [
  { key: 'single', label: 'deliveries/s, one insert per publish', unit: '/s', ratio: true },
  { key: 'batched', label: 'deliveries/s, batched publishes', unit: '/s', ratio: true },
  ...DRAIN_FIGURES,
  { key: 'publish', label: 'publishes accepted/s, no worker running', unit: '/s' },
];

function peerScenario(peer: Peer): Scenario {
  const startApi = (
    started: Remote[],
    options: { database: string; port: number; targetUrl: string; batched: boolean },
  ) => startRemote(started, `${peer.name} api`, peer.module, 'startApi', options);
  const startWorkers = (started: Remote[], database: string, count: number) =>
    startWorkerRemotes(started, count, {
      name: `${peer.name} worker`,
      module: peer.module,
      options: { database },
    });

  const endToEnd = (ctx: Context, batched: boolean) =>
    withDatabase(ctx, (database) =>
      measureReference(ctx, {
        name: `${peer.name}${batched ? ', batched publishes' : ''}`,
        events: ctx.sizes.postgresEvents,
        details: { workers: WORKERS, batched },
        async launch(port, targetUrl, started) {
          await startApi(started, { database, port, targetUrl, batched });
          await startWorkers(started, database, WORKERS);
        },
      }),
    );

  const drain = (ctx: Context) =>
    withDatabase(ctx, (database) =>
      withRemotes(async (started) => {
        const port = await freePort();
        await startApi(started, { database, port, targetUrl: `${ctx.receiverUrl}/one/0`, batched: false });
        return measureReferenceDrain(ctx, {
          what: `${peer.name} backlog`,
          database,
          port,
          startWorkers: () => startWorkers(started, database, DRAIN_WORKERS),
        });
      }),
    );

  return {
    id: peer.id,
    title: `Peer: node:http API + ${peer.name} (${peer.settings}), API process + ${WORKERS} worker processes posting with undici.request, single-event publishes, one webhook`,
    figures: PEER_FIGURES,
    runs: (_ctx, full) => full,
    skip: postgresSkipReason,
    async measure(ctx) {
      const single = await endToEnd(ctx, false);
      const batched = await endToEnd(ctx, true);
      const backlog = await drain(ctx);
      return {
        values: {
          single: single.values.deliveries as number,
          batched: batched.values.deliveries as number,
          drain: backlog.stats.rate,
          drainWorkerCpuUs: backlog.workerCpuUs,
          drainDatabaseCpuUs: backlog.databaseCpuUs,
          publish: backlog.queued.eventsPerSec,
        },
        details: {
          single: single.details,
          batched: batched.details,
          drain: { publisher: loadDetails(backlog.queued), receiver: receiverDetails(backlog.stats) },
        },
      };
    },
  };
}

export const graphileWorker = peerScenario({
  id: 'graphile-worker',
  name: 'graphile-worker 0.17',
  module: './peer-graphile.ts',
  settings: 'addJob / addJobs; concurrency 32, localQueue 500, LISTEN',
});

export const pgBoss = peerScenario({
  id: 'pg-boss',
  name: 'pg-boss 10',
  module: './peer-pgboss.ts',
  settings: 'send / insert; 4 work loops × batch 500, polling 0.5 s',
});
