/** Herald on PostgreSQL: an API process (`serve --no-workers`) and 1, 2, then 4 `herald worker` processes. */
import { HeraldApi, HeraldProcess, newAdminKey } from '../lib/herald.js';
import { ratioAtLeast, type Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { singlePublishes } from './shared/herald.js';
import { freshDir } from './shared/instances.js';
import { loadUntilDelivered } from './shared/measure.js';
import { postgresSkipReason, withDatabase } from './shared/postgres-database.js';

export const postgres: Scenario = {
  id: 'postgres',
  title: 'PostgreSQL: single-event API (`serve --no-workers`) + 1, 2, 4 `herald worker` processes',
  figures: [1, 2, 4].map((workers) => ({
    key: `workers${workers}`,
    label: `deliveries/s, ${workers} worker process${workers > 1 ? 'es' : ''}`,
    unit: '/s',
    ratio: true,
    ...(workers === 2 ? { target: { text: '≥ 0.4 × ceiling', met: ratioAtLeast(0.4) } } : {}),
  })),
  runs: (_ctx, full) => full,
  skip: postgresSkipReason,
  async measure(ctx) {
    const values: Record<string, number> = {};
    const details: Record<string, unknown> = {};
    for (const workers of [1, 2, 4]) {
      await withDatabase(ctx, async (database) => {
        const dir = freshDir(ctx, 'herald');
        const adminKey = newAdminKey();
        const options = { database, workDir: dir, adminKey, nodeArgs: ctx.heraldNodeArgs };
        const apiProcess = await HeraldProcess.start('api', options);
        const processes = [apiProcess];
        try {
          for (let i = 0; i < workers; i++) processes.push(await HeraldProcess.start('worker', options, i));
          const api = new HeraldApi(apiProcess.url as string, adminKey);
          await api.createTenant();
          await api.createWebhooks([`${ctx.receiverUrl}/one/0`]);
          const events = ctx.sizes.postgresEvents;
          const plan = singlePublishes(api, events, 64);
          const { result, stats } = await loadUntilDelivered(ctx, plan, `postgres ${workers} workers`);
          values[`workers${workers}`] = stats.rate;
          details[`workers${workers}`] = {
            publisher: loadDetails(result),
            receiver: receiverDetails(stats),
            peakRssMb: processes.map((p) => Math.round(p.peakRssMb)),
          };
        } finally {
          await Promise.all(processes.map((p) => p.stop()));
        }
      });
    }
    return { values, details };
  },
};
