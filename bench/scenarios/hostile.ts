/**
 * Whether a hostile tenant slows another (issue 12, item 2). Tenant A keeps 64 trickling, 4 slow and
 * 10 hanging webhooks busy (lib/hostile-tenant.ts) while tenant B, on the same Herald, publishes to
 * one healthy webhook. Herald runs with its defaults: the delivery timeout is 10 s.
 *
 * Each run starts three Heralds, since B's own backlog must not carry from one measurement into the next:
 *   alone   B alone: 64 clients publishing single events for the throughput window;
 *   early   the same load from the moment A is hostile, while Herald knows nothing yet of A's
 *           webhooks (each may have 4 requests out until its first attempt ends, 10 s later);
 *   late    from the moment A is hostile, B at 50 events/s open loop (latency; what never arrives
 *           is missing), then, once A's first attempts have ended and its webhooks are cut back,
 *           the 64 clients again.
 * Throughput is B's deliveries at the receiver while its clients publish: under A, Herald may take
 * events faster than it delivers them, and the backlog left when publishing stops is not B's rate.
 *
 * Single events rather than batches: each of B's events is then a publish and a delivery through
 * the process that also serves A, the most exposed path per event, and B alone is comparable with
 * `throughput-single` in the same benchmark run.
 */
import type { HeraldApi } from '../lib/herald.js';
import { HostileTenant } from '../lib/hostile-tenant.js';
import { wallNow } from '../lib/payload.js';
import { sleep } from '../lib/procs.js';
import type { Context, Scenario } from './scenario.js';
import { publishedAndReceived } from './shared/details.js';
import { freshHerald, singlePublishes } from './shared/herald.js';
import { deliveredWhileSending, load, receiverStats, resetReceiver, waitFor } from './shared/measure.js';

/** Tenant B's publish rate while its latency is measured (issue 12, item 2). */
const RATE = 50;
/** Herald's default HERALD_DELIVERY_TIMEOUT, which this scenario keeps. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** When A's webhooks have been cut back: their first attempts ended and the outcomes were written. */
const CUT_BACK_AFTER_MS = DELIVERY_TIMEOUT_MS + 1_000;
/** The early window must end before A's first attempts do, with a second for its last answers. */
const EARLY_WINDOW_MAX_MS = DELIVERY_TIMEOUT_MS - 1_000;
/** How long stragglers are waited for once every publish is answered: one whole delivery timeout. */
const STRAGGLERS_MS = DELIVERY_TIMEOUT_MS;
/** Far above what two cores deliver (the ceiling is ~22k/s): only bounds a timed closed loop's seqs. */
const MOST_EVENTS_PER_SECOND = 50_000;
/** Tenant B's healthy webhook on the bench's receiver. */
const HEALTHY_PATH = '/healthy/0';

/** Issue 12's targets (item 2), judged on the medians. */
const TARGETS = {
  p99: { text: '≤ 100 ms (issue 12)', met: (median: number) => median <= 100 },
  missing: { text: '0 (issue 12)', met: (median: number) => median === 0 },
  ratio: { text: '≥ 0.9 (issue 12)', met: (median: number) => median >= 0.9 },
};

export const hostile: Scenario = {
  id: 'hostile',
  title:
    'Hostile tenant: A keeps 64 trickling, 4 slow (9.5 s) and 10 hanging webhooks busy; B has one healthy webhook',
  figures: [
    { key: 'p50', label: 'B publish→receipt p50 at 50/s, A hostile', unit: 'ms' },
    { key: 'p99', label: 'B publish→receipt p99 at 50/s, A hostile', unit: 'ms', target: TARGETS.p99 },
    { key: 'max', label: 'B publish→receipt max at 50/s, A hostile', unit: 'ms' },
    {
      key: 'missing',
      label: "B's events at 50/s not received at the end",
      unit: 'events',
      target: TARGETS.missing,
    },
    { key: 'alone', label: 'B deliveries/s, 64 clients, alone', unit: '/s', ratio: true },
    { key: 'early', label: "B deliveries/s, 64 clients, in A's first 10 s", unit: '/s', ratio: true },
    { key: 'late', label: "B deliveries/s, 64 clients, after A's first 10 s", unit: '/s', ratio: true },
    { key: 'earlyRatio', label: "B in A's first 10 s ÷ B alone", unit: '×', target: TARGETS.ratio },
    { key: 'lateRatio', label: "B after A's first 10 s ÷ B alone", unit: '×', target: TARGETS.ratio },
    { key: 'held', label: "connections open to A's receiver (mean)", unit: 'connections' },
  ],
  runs: (_ctx, full) => full,
  async measure(ctx) {
    if (ctx.sizes.hostileThroughputSeconds * 1000 > EARLY_WINDOW_MAX_MS) {
      throw new Error(
        `hostileThroughputSeconds: at most ${EARLY_WINDOW_MAX_MS / 1000}, to fit in A's first 10 s`,
      );
    }
    const alone = await onFreshHerald(ctx, (api) => throughputWindow(ctx, api));
    const early = await onFreshHerald(ctx, (api) =>
      besideHostileTenant(api, () => throughputWindow(ctx, api)),
    );
    const late = await onFreshHerald(ctx, (api) =>
      besideHostileTenant(api, async (tenantA) => {
        const atRate = await publishAtRate(ctx, api);
        await sleep(Math.max(0, tenantA.hostileSince + CUT_BACK_AFTER_MS - wallNow()));
        return { atRate, throughput: await throughputWindow(ctx, api) };
      }),
    );
    const { atRate, throughput } = late.measured;
    return {
      values: {
        ...atRate.values,
        alone: alone.rate,
        early: early.measured.rate,
        late: throughput.rate,
        earlyRatio: early.measured.rate / alone.rate,
        lateRatio: throughput.rate / alone.rate,
        held: late.tenantA.connectionsHeld.mean,
      },
      details: {
        alone: alone.details,
        early: { ...early.measured.details, tenantA: early.tenantA },
        atRate: atRate.details,
        late: { ...throughput.details, tenantA: late.tenantA },
      },
    };
  },
};

/** `measure` on a fresh Herald (SQLite, defaults) holding tenant B and its healthy webhook. */
async function onFreshHerald<T>(ctx: Context, measure: (api: HeraldApi) => Promise<T>): Promise<T> {
  const { herald, api } = await freshHerald(ctx, [HEALTHY_PATH]);
  try {
    return await measure(api);
  } finally {
    await herald.stop();
  }
}

/** `measure` beside tenant A, from the moment it is hostile; A's own figures beside what it measured. */
async function besideHostileTenant<T>(api: HeraldApi, measure: (tenantA: HostileTenant) => Promise<T>) {
  const tenantA = await HostileTenant.start(api);
  try {
    const measured = await measure(tenantA);
    return { measured, tenantA: tenantA.details() };
  } finally {
    await tenantA.stop();
  }
}

/** Tenant B's 64 clients for the throughput window: deliveries/s while they publish. */
async function throughputWindow(ctx: Context, api: HeraldApi) {
  const seconds = ctx.sizes.hostileThroughputSeconds;
  const seqs = seconds * MOST_EVENTS_PER_SECOND;
  await resetReceiver(ctx, { uniqueSeqs: seqs });
  const result = await load(ctx, { ...singlePublishes(api, seqs, 64), seconds });
  const rate = await deliveredWhileSending(ctx, result);
  return { rate, details: publishedAndReceived(result, await receiverStats(ctx)) };
}

/**
 * Tenant B at 50 events/s, open loop, for the latency window; then stragglers are waited for, and
 * what has still not arrived is missing (a refused publish too: that event never arrived either).
 */
async function publishAtRate(ctx: Context, api: HeraldApi) {
  const events = RATE * ctx.sizes.hostileSeconds;
  await resetReceiver(ctx, { uniqueSeqs: events });
  const result = await load(ctx, { ...singlePublishes(api, events, 64), rate: RATE });
  await waitFor(ctx, events, { timeoutMs: STRAGGLERS_MS, idleMs: STRAGGLERS_MS });
  const stats = await receiverStats(ctx);
  const { p50, p99, max } = stats.latencyMs;
  return {
    values: { p50, p99, max, missing: events - stats.delivered },
    details: publishedAndReceived(result, stats),
  };
}
