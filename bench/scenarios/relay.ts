/**
 * A reference, not Herald: the minimal durable relay (bench/lib/durable-relay.ts), built the way
 * Herald stores and sends but with none of its features, under the `throughput-single` load.
 */
import type { Scenario } from './scenario.js';
import { freshDir } from './shared/instances.js';
import { measureReference, REFERENCE_FIGURES, startRemote } from './shared/reference.js';

export const relay: Scenario = {
  id: 'relay',
  title:
    'Reference: a minimal durable relay (SQLite group commit + fdatasync, worker-thread sender; no auth, validation, retries or history), single-event publishes, one webhook',
  figures: REFERENCE_FIGURES,
  runs: (_ctx, full) => full,
  measure(ctx) {
    const dir = freshDir(ctx, 'relay');
    return measureReference(ctx, {
      name: 'durable relay',
      events: ctx.sizes.singleEvents,
      details: {},
      launch: (port, targetUrl, started) =>
        startRemote(started, 'durable relay', './durable-relay.ts', 'start', { port, targetUrl, dir }),
    });
  },
};
