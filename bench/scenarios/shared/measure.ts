/** Driving the load generator and reading the receiver's figures. */
import type { LoadPlan, LoadResult } from '../../lib/loadgen.js';
import type { ReceiverReset, ReceiverStats } from '../../lib/receiver.js';
import type { Context } from '../scenario.js';

export function resetReceiver(ctx: Context, options: ReceiverReset): Promise<void> {
  return ctx.receiver.call('reset', options);
}

export function receiverStats(ctx: Context): Promise<ReceiverStats> {
  return ctx.receiver.call('stats');
}

export function waitFor(
  ctx: Context,
  count: number,
  options: { group?: string; timeoutMs?: number; idleMs?: number } = {},
): Promise<boolean> {
  return ctx.receiver.call('waitFor', {
    count,
    group: options.group,
    timeoutMs: options.timeoutMs ?? 600_000,
    idleMs: options.idleMs ?? 20_000,
  });
}

export function load(ctx: Context, plan: LoadPlan): Promise<LoadResult> {
  return ctx.loadgen.call('run', plan);
}

/** Deliveries/s at the receiver while a load was sent: from its first request to its last answer. */
export async function deliveredWhileSending(ctx: Context, result: LoadResult): Promise<number> {
  const window = { from: result.startedAt, to: result.endedAt };
  const count = await ctx.receiver.call<number>('deliveredBetween', window);
  return (count / (window.to - window.from)) * 1000;
}

/**
 * Runs `plan` against a receiver reset to count each of its events once, and waits until every
 * event sent is delivered; the run fails if a publish failed or a delivery went missing.
 */
export async function loadUntilDelivered(
  ctx: Context,
  plan: LoadPlan,
  what: string,
  reset: Omit<ReceiverReset, 'uniqueSeqs'> = {},
): Promise<{ result: LoadResult; stats: ReceiverStats }> {
  await resetReceiver(ctx, { uniqueSeqs: plan.events, ...reset });
  const result = await load(ctx, plan);
  await waitFor(ctx, result.events);
  const stats = await receiverStats(ctx);
  requireAll(stats, result.events, what, result);
  return { result, stats };
}

/** Fails the run (the table says so) when deliveries went missing. */
export function requireAll(stats: ReceiverStats, expected: number, what: string, result?: LoadResult): void {
  if (result && result.failedEvents > 0) {
    throw new Error(
      `${result.failedEvents} of ${result.events} publishes failed: ${result.errors.join('; ')}`,
    );
  }
  if (stats.delivered < expected) {
    throw new Error(
      `${what}: only ${stats.delivered} of ${expected} delivered before the receiver went idle`,
    );
  }
}

/**
 * A backlog drain: `plan`'s events are published while nothing delivers them, then
 * `startDelivering` starts the workers and the run waits until every event is delivered. The
 * drain rate is the receiver's, first to last receipt, so the workers' start-up is not counted.
 */
export async function drainAfterQueueing(
  ctx: Context,
  plan: LoadPlan,
  what: string,
  startDelivering: () => Promise<void>,
): Promise<{ queued: LoadResult; stats: ReceiverStats }> {
  await resetReceiver(ctx, { uniqueSeqs: plan.events });
  const queued = await load(ctx, plan);
  if (queued.failedEvents > 0) {
    throw new Error(
      `${queued.failedEvents} of ${queued.events} publishes failed: ${queued.errors.join('; ')}`,
    );
  }
  await startDelivering();
  await waitFor(ctx, queued.events);
  const stats = await receiverStats(ctx);
  requireAll(stats, queued.events, what);
  return { queued, stats };
}
