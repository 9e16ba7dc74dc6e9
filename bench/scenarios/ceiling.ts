/** What every ratio divides by: a bare `undici.request` sender straight to the receiver, no storage. */
import type { Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { load, receiverStats, requireAll, resetReceiver } from './shared/measure.js';

export const ceiling: Scenario = {
  id: 'ceiling',
  title: 'Ceiling: bare undici.request sender → receiver (no storage)',
  figures: [{ key: 'rps', label: 'requests/s', unit: '/s' }],
  runs: (_ctx, full) => full,
  async measure(ctx) {
    const requests = ctx.sizes.ceilingRequests;
    await resetReceiver(ctx, { uniqueSeqs: requests });
    const result = await load(ctx, {
      kind: 'raw',
      url: `${ctx.receiverUrl}/ceiling`,
      events: requests,
      concurrency: 64,
    });
    const stats = await receiverStats(ctx);
    requireAll(stats, requests, 'ceiling', result);
    return {
      values: { rps: stats.rate },
      details: { sender: loadDetails(result), receiver: receiverDetails(stats) },
    };
  },
};
