/** Publish→receipt latency at a steady 1,000 events/s: open loop, so slow answers do not slow the load. */
import type { Scenario } from './scenario.js';
import { publishedAndReceived } from './shared/details.js';
import { freshHerald, singlePublishes } from './shared/herald.js';
import { loadUntilDelivered } from './shared/measure.js';

export const latency: Scenario = {
  id: 'latency',
  title: 'Latency at 1,000 events/s, open loop, single-event API, one webhook',
  figures: [
    { key: 'p50', label: 'publish→receipt p50', unit: 'ms' },
    { key: 'p95', label: 'publish→receipt p95', unit: 'ms' },
    {
      key: 'p99',
      label: 'publish→receipt p99',
      unit: 'ms',
      target: { text: '≤ 20 ms', met: (median) => median <= 20 },
    },
    { key: 'max', label: 'publish→receipt max', unit: 'ms' },
  ],
  runs: (_ctx, full) => full,
  async measure(ctx) {
    const rate = 1000;
    const warmup = rate; // the first second is not counted
    const events = warmup + rate * ctx.sizes.latencySeconds;
    const { herald, api } = await freshHerald(ctx, ['/one/0']);
    try {
      const plan = { ...singlePublishes(api, events, 256), rate };
      const { result, stats } = await loadUntilDelivered(ctx, plan, 'latency', { latencyFromSeq: warmup });
      const { p50, p95, p99, max } = stats.latencyMs;
      return {
        values: { p50, p95, p99, max },
        details: publishedAndReceived(result, stats),
      };
    } finally {
      await herald.stop();
    }
  },
};
