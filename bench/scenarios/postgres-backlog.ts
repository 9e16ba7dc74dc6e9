/**
 * Herald on PostgreSQL, its two sides apart: how many single-event publishes one API process
 * (`serve --no-workers`, no worker running) accepts from 64 clients, then how fast 2 `herald worker`
 * processes drain the backlog those publishes left.
 */
import { cpuMeter } from '../lib/procs.js';
import type { FigureSpec, Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { singlePublishes } from './shared/herald.js';
import { drainAfterQueueing } from './shared/measure.js';
import { postgresSkipReason, withDatabase } from './shared/postgres-database.js';
import { type CostMeter, measureCosts, PostgresHerald } from './shared/postgres-herald.js';

export const DRAIN_WORKERS = 2;

/** What every backlog drain reports, Herald's and the references': `drain`, `drainWorkerCpuUs`, `drainDatabaseCpuUs`. */
export const DRAIN_FIGURES: FigureSpec[] = [
  { key: 'drain', label: `drain rate, ${DRAIN_WORKERS} worker processes`, unit: '/s', ratio: true },
  { key: 'drainWorkerCpuUs', label: 'worker processes CPU per drained delivery', unit: 'µs' },
  { key: 'drainDatabaseCpuUs', label: 'PostgreSQL server CPU per drained delivery', unit: 'µs' },
];

export const postgresBacklog: Scenario = {
  id: 'postgres-backlog',
  title: `PostgreSQL: single-event publishes accepted by one API process with no worker running (64 clients), then that backlog drained by ${DRAIN_WORKERS} \`herald worker\` processes`,
  figures: [
    {
      key: 'publish',
      label: 'publishes accepted/s by one API process',
      unit: '/s',
      target: { text: '≥ 10,000/s', met: (median) => median >= 10_000 },
    },
    ...DRAIN_FIGURES,
  ],
  runs: (_ctx, full) => full,
  skip: postgresSkipReason,
  measure: (ctx) =>
    withDatabase(ctx, async (database) => {
      const herald = await PostgresHerald.start(ctx, database);
      try {
        const events = ctx.sizes.postgresBacklog;
        const apiCpu = cpuMeter([herald.apiProcess.pid]);
        let publishCpuUs = 0;
        // Measured once the workers are up (connected, migrations checked): their start-up is not in it.
        const drain: { costs?: CostMeter } = {};
        const { queued, stats } = await drainAfterQueueing(
          ctx,
          singlePublishes(herald.api, events, 64),
          'postgres backlog',
          async () => {
            publishCpuUs = (apiCpu() / events) * 1e6;
            await herald.addWorkers(DRAIN_WORKERS);
            drain.costs = await measureCosts(ctx, herald);
          },
        );
        const drainCosts = await drain.costs?.finish(stats.delivered);
        return {
          values: {
            publish: queued.eventsPerSec,
            drain: stats.rate,
            ...(drainCosts
              ? { drainWorkerCpuUs: drainCosts.cpuUs.workers, drainDatabaseCpuUs: drainCosts.cpuUs.database }
              : {}),
          },
          details: {
            publisher: loadDetails(queued),
            apiCpuPerPublishUs: Math.round(publishCpuUs * 10) / 10,
            receiver: receiverDetails(stats),
            drainCosts,
          },
        };
      } finally {
        await herald.stop();
      }
    }),
};
