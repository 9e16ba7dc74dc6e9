/**
 * Herald on PostgreSQL as a cluster runs it: `serve --no-workers` + 1, 2, 4 `herald worker`
 * processes, single-event publishes. Each run also measures what a delivered event costs (CPU of
 * each role and of the server, statements, commits, rows, WAL): the capacity model's inputs.
 */
import { ratioAtLeast, type Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { singlePublishes } from './shared/herald.js';
import { loadUntilDelivered } from './shared/measure.js';
import { postgresSkipReason, withDatabase } from './shared/postgres-database.js';
import { measureCosts, PostgresHerald } from './shared/postgres-herald.js';

export const POSTGRES_WORKER_COUNTS = [1, 2, 4];

export const postgres: Scenario = {
  id: 'postgres',
  title: 'PostgreSQL: single-event API (`serve --no-workers`) + 1, 2, 4 `herald worker` processes',
  figures: [
    ...POSTGRES_WORKER_COUNTS.map((workers) => ({
      key: `workers${workers}`,
      label: `deliveries/s, ${workers} worker process${workers > 1 ? 'es' : ''}`,
      unit: '/s',
      ratio: true,
      ...(workers === 2 ? { target: { text: '≥ 0.4 × ceiling', met: ratioAtLeast(0.4) } } : {}),
    })),
    { key: 'apiCpuUs2', label: 'API process CPU per delivered event, 2 workers', unit: 'µs' },
    { key: 'workerCpuUs2', label: 'worker processes CPU per delivered event, 2 workers', unit: 'µs' },
  ],
  runs: (_ctx, full) => full,
  skip: postgresSkipReason,
  async measure(ctx) {
    const values: Record<string, number> = {};
    const details: Record<string, unknown> = {};
    for (const workers of POSTGRES_WORKER_COUNTS) {
      await withDatabase(ctx, async (database) => {
        const herald = await PostgresHerald.start(ctx, database);
        try {
          await herald.addWorkers(workers);
          const plan = singlePublishes(herald.api, ctx.sizes.postgresEvents, 64);
          const costs = await measureCosts(ctx, herald);
          const { result, stats } = await loadUntilDelivered(ctx, plan, `postgres ${workers} workers`);
          const peakRssMb = herald.processes.map((process) => Math.round(process.peakRssMb));
          const measured = await costs.finish(stats.delivered);
          values[`workers${workers}`] = stats.rate;
          if (workers === 2) {
            values.apiCpuUs2 = measured.cpuUs.api;
            values.workerCpuUs2 = measured.cpuUs.workers;
          }
          details[`workers${workers}`] = {
            publisher: loadDetails(result),
            receiver: receiverDetails(stats),
            peakRssMb,
            costs: measured,
          };
        } finally {
          await herald.stop();
        }
      });
    }
    return { values, details };
  },
};
