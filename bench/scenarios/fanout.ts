/** One event to many webhooks on one Herald: how long until the last of them has it. */
import { request } from 'undici';
import type { HeraldApi } from '../lib/herald.js';
import { EVENT_TYPE, eventData, wallNow } from '../lib/payload.js';
import type { ReceiverStats } from '../lib/receiver.js';
import type { Context, Scenario } from './scenario.js';
import { receiverDetails } from './shared/details.js';
import { eventsUrl, type FreshHerald, freshHerald } from './shared/herald.js';
import { receiverStats, resetReceiver, waitFor } from './shared/measure.js';

export const fanout: Scenario = {
  id: 'fanout',
  title: 'Fan-out: one event to 1,000 webhooks (distinct paths)',
  figures: [
    {
      key: 'allDeliveredMs',
      label: 'publish → all delivered',
      unit: 'ms',
      target: { text: '≤ 1,000 ms', met: (median) => median <= 1000 },
    },
    { key: 'rate', label: 'deliveries/s during the fan-out', unit: '/s' },
  ],
  runs: (_ctx, full) => Math.max(full, full > 1 ? 5 : 1),
  async setup(ctx) {
    const paths = Array.from({ length: ctx.sizes.fanoutWebhooks }, (_, i) => `/fan/${i}`);
    const started = await freshHerald(ctx, paths);
    await publishOne(ctx, started.api, -1); // warm-up, not counted
    return started;
  },
  async measure(ctx, run, state) {
    const { api } = state as FreshHerald;
    const { stats, ms } = await publishOne(ctx, api, run);
    if (stats.distinctPaths < ctx.sizes.fanoutWebhooks) {
      throw new Error(
        `only ${stats.distinctPaths} of ${ctx.sizes.fanoutWebhooks} webhooks received the event`,
      );
    }
    return {
      values: { allDeliveredMs: ms, rate: stats.rate },
      details: { receiver: receiverDetails(stats) },
    };
  },
  async teardown(_ctx, state) {
    await (state as FreshHerald).herald.stop();
  },
};

async function publishOne(
  ctx: Context,
  api: HeraldApi,
  seq: number,
): Promise<{ stats: ReceiverStats; ms: number }> {
  await resetReceiver(ctx, {});
  const sentAt = wallNow();
  const answer = await request(eventsUrl(api), {
    method: 'POST',
    headers: { ...api.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ event: EVENT_TYPE, data: eventData(Math.max(seq, 0), sentAt) }),
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 202) throw new Error(`publish: HTTP ${answer.statusCode} ${text}`);
  await waitFor(ctx, ctx.sizes.fanoutWebhooks, { group: 'fan', idleMs: 10_000 });
  const stats = await receiverStats(ctx);
  const group = stats.groups.fan;
  return { stats, ms: group ? group.lastAt - sentAt : Number.NaN };
}
