/** The peer Herald is compared with: what a Node team would write on BullMQ (bench/lib/peer-bullmq.ts). */
import { connect } from 'node:net';
import type { Context, Scenario } from './scenario.js';
import { measureReference, REFERENCE_FIGURES, startRemote } from './shared/reference.js';

export const bullmq: Scenario = {
  id: 'bullmq',
  title: 'Peer: node:http API + BullMQ Worker (undici.request), single-event publishes, one webhook',
  figures: REFERENCE_FIGURES,
  runs: (_ctx, full) => full,
  skip: peerSkipReason,
  measure: (ctx) =>
    measureReference(ctx, {
      name: 'bullmq peer',
      events: ctx.sizes.peerEvents,
      details: { workerConcurrency: ctx.peerConcurrency },
      launch: (port, targetUrl, started) =>
        startRemote(started, 'bullmq peer', './peer-bullmq.ts', 'start', {
          port,
          targetUrl,
          redis: ctx.redis,
          concurrency: ctx.peerConcurrency,
        }),
    }),
};

/** Redis answers on ctx.redis, and bullmq can be loaded. */
async function peerSkipReason(ctx: Context): Promise<string | null> {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect(ctx.redis.port, ctx.redis.host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!reachable) return `Redis not reachable at ${ctx.redis.host}:${ctx.redis.port}`;
  try {
    // Imported only when this scenario runs: the module is made to be forked, and serves RPC once loaded.
    const { loadBullMq } = await import('../lib/peer-bullmq.js');
    await loadBullMq();
  } catch (error) {
    return `bullmq is not installed (npm install --save-dev bullmq@5): ${error instanceof Error ? error.message.split('\n')[0] : error}`;
  }
  return null;
}
