/** Deliveries piled up while the receiver is down, then drained: the drain rate and Herald's memory. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ratioAtLeast, type Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { batchRouteAvailable, freshHerald, publishPlan } from './shared/herald.js';
import { load, receiverStats, requireAll, resetReceiver, waitFor } from './shared/measure.js';

export const backlog: Scenario = {
  id: 'backlog',
  title: 'Backlog: deliveries queued while the receiver refuses connections, then drained',
  figures: [
    {
      key: 'drain',
      label: 'drain rate after the receiver is back',
      unit: '/s',
      ratio: true,
      target: { text: '≥ 0.7 × ceiling', met: ratioAtLeast(0.7) },
    },
    {
      key: 'peakRssMb',
      label: 'Herald peak RSS',
      unit: 'MB',
      target: { text: '≤ 300 MB (for 1M queued)', met: (median) => median <= 300 },
    },
    { key: 'queuePerSec', label: 'events queued/s while the receiver is down', unit: '/s' },
  ],
  runs: () => 1,
  async measure(ctx) {
    const deliveries = ctx.sizes.backlogDeliveries;
    const useBatch = await batchRouteAvailable(ctx);
    // 100 retries one second apart: every refused attempt is due again a second later, and none
    // reaches the dead letter queue while the receiver is down.
    const schedule = Array.from({ length: 100 }, () => '1s').join(',');
    const { herald, api, dir } = await freshHerald(ctx, ['/one/0'], { HERALD_RETRY_SCHEDULE: schedule });
    try {
      await resetReceiver(ctx, { uniqueSeqs: deliveries });
      await ctx.receiver.call('down');
      ctx.log(`  queueing ${deliveries.toLocaleString('en')} deliveries while the receiver is down…`);
      const result = await load(ctx, publishPlan(api, deliveries, useBatch));
      if (result.failedEvents > 0) {
        throw new Error(`${result.failedEvents} publishes failed: ${result.errors.join('; ')}`);
      }
      const queuedRssMb = herald.peakRssMb;
      const { at: upAt } = await ctx.receiver.call<{ at: number }>('up');
      ctx.log('  receiver up; draining…');
      await waitFor(ctx, deliveries, { idleMs: 30_000, timeoutMs: 1_200_000 });
      const stats = await receiverStats(ctx);
      herald.sample();
      requireAll(stats, deliveries, 'backlog');
      const drain = (stats.delivered / (stats.lastAt - upAt)) * 1000;
      const dbBytes = ['herald.db', 'herald.db-wal']
        .map((file) => join(dir, file))
        .filter((file) => existsSync(file))
        .reduce((sum, file) => sum + statSync(file).size, 0);
      return {
        values: { drain, peakRssMb: herald.peakRssMb, queuePerSec: result.eventsPerSec },
        details: {
          route: useBatch ? 'batch' : 'single',
          publisher: loadDetails(result),
          receiver: receiverDetails(stats),
          drainSeconds: Math.round((stats.lastAt - upAt) / 100) / 10,
          rssAfterQueueingMb: Math.round(queuedRssMb),
          databaseMb: Math.round(dbBytes / 1e6),
        },
      };
    } finally {
      await ctx.receiver.call('up');
      await herald.stop();
    }
  },
};
