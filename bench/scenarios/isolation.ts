/** Whether webhooks that hang slow down the healthy ones: the same load with none and with 10 % hanging. */
import type { Scenario } from './scenario.js';
import { loadDetails } from './shared/details.js';
import { freshHerald, singlePublishes } from './shared/herald.js';
import { load, receiverStats, resetReceiver, waitFor } from './shared/measure.js';

export const isolation: Scenario = {
  id: 'isolation',
  title: 'Isolation: 10 % of 100 webhooks hang (delivery timeout 2 s); every event goes to all 100',
  figures: [
    { key: 'healthy', label: 'healthy deliveries/s with 10 % hanging', unit: '/s', ratio: true },
    { key: 'baseline', label: 'deliveries/s with none hanging', unit: '/s', ratio: true },
    {
      key: 'ratio',
      label: 'healthy ÷ none-hanging',
      unit: '×',
      target: { text: '≥ 0.9', met: (median) => median >= 0.9 },
    },
  ],
  runs: (_ctx, full) => full,
  async measure(ctx) {
    const webhooks = ctx.sizes.isolationWebhooks;
    const events = ctx.sizes.isolationEvents;
    const hanging = Math.round(webhooks / 10);
    const env = { HERALD_DELIVERY_TIMEOUT: '2s' };
    const rates: Record<string, number> = {};
    const details: Record<string, unknown> = {};
    for (const variant of ['baseline', 'healthy'] as const) {
      const bad = variant === 'healthy' ? hanging : 0;
      const paths = Array.from({ length: webhooks }, (_, i) => (i < bad ? `/hang/${i}` : `/ok/${i}`));
      const { herald, api } = await freshHerald(ctx, paths, env);
      try {
        await resetReceiver(ctx, {});
        await ctx.receiver.call('hang', { prefixes: ['/hang/'] });
        const expected = (webhooks - bad) * events;
        const result = await load(ctx, singlePublishes(api, events, 8));
        const reached = await waitFor(ctx, expected, { group: 'ok', idleMs: 20_000 });
        const stats = await receiverStats(ctx);
        const ok = stats.groups.ok;
        if (!reached || !ok)
          throw new Error(`${variant}: ${ok?.received ?? 0} of ${expected} healthy deliveries arrived`);
        rates[variant] = ok.rate;
        details[variant] = { publisher: loadDetails(result), healthyReceived: ok.received, hung: stats.hung };
      } finally {
        await herald.stop();
        await ctx.receiver.call('hang', { prefixes: [] });
      }
    }
    const healthy = rates.healthy ?? Number.NaN;
    const baseline = rates.baseline ?? Number.NaN;
    return { values: { healthy, baseline, ratio: healthy / baseline }, details };
  },
};
