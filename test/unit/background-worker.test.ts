import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import {
  BackgroundWorker,
  IDEMPOTENCY_PRUNE_PAUSE_MS,
  RETENTION_SWEEP_PAUSE_MS,
} from '../../src/delivery/background-worker.js';
import type { BackgroundWork, PruneProgress, Retention } from '../../src/store/store.js';

const DAY = 86_400_000;

/** A store with no fan-out or purge waiting, whose sweeps take `chunks` chunks; records each call. */
function sweepingStore(chunks: number) {
  const calls: { cutoff: number; after: number }[] = [];
  let left = chunks;
  const store: BackgroundWork & Pick<Retention, 'pruneHistory'> = {
    expandFanouts: async () => null,
    purgeDeletedWebhooks: async () => null,
    purgeDeletedTenants: async () => null,
    pruneIdempotencyKeys: async () => null,
    onBackgroundWorkQueued: () => () => undefined,
    async pruneHistory(cutoff: number, after: number): Promise<PruneProgress | null> {
      calls.push({ cutoff, after });
      if (left === 0) {
        left = chunks;
        return null;
      }
      left -= 1;
      return { after: after + 500, removed: 10 };
    },
  };
  return { store, calls };
}

describe('BackgroundWorker: retention', () => {
  it('sweeps chunk after chunk from where the last stopped, then pauses before the next sweep', async () => {
    const clock = new ManualClock();
    const { store, calls } = sweepingStore(2);
    const worker = new BackgroundWorker({ store, clock, pollIntervalMs: 1_000, retentionMs: 30 * DAY });
    const cutoff = clock.now() - 30 * DAY;

    await worker.drain();
    assert.deepEqual(calls, [
      { cutoff, after: 0 },
      { cutoff, after: 500 },
      { cutoff, after: 1_000 },
    ]);

    clock.advance(RETENTION_SWEEP_PAUSE_MS - 1);
    await worker.drain();
    assert.equal(calls.length, 3, 'no sweep before the pause is over');

    clock.advance(1);
    await worker.drain();
    assert.deepEqual(calls.slice(3), [
      { cutoff: cutoff + RETENTION_SWEEP_PAUSE_MS, after: 0 },
      { cutoff: cutoff + RETENTION_SWEEP_PAUSE_MS, after: 500 },
      { cutoff: cutoff + RETENTION_SWEEP_PAUSE_MS, after: 1_000 },
    ]);
  });
});

describe('BackgroundWorker: idempotency records', () => {
  it('prunes chunk after chunk, then looks again only once the pause is over', async () => {
    const clock = new ManualClock();
    const { store } = sweepingStore(0);
    const prunes: number[] = [];
    let chunks = 2;
    store.pruneIdempotencyKeys = async (now: number) => {
      prunes.push(now);
      if (chunks === 0) return null;
      chunks -= 1;
      return 500;
    };
    const worker = new BackgroundWorker({ store, clock, pollIntervalMs: 1_000, retentionMs: 30 * DAY });
    const start = clock.now();

    await worker.drain();
    assert.deepEqual(prunes, [start, start, start], 'two chunks, then a look that finds none');

    clock.advance(IDEMPOTENCY_PRUNE_PAUSE_MS - 1);
    await worker.drain();
    assert.equal(prunes.length, 3, 'no look before the pause is over');

    clock.advance(1);
    await worker.drain();
    assert.deepEqual(prunes.slice(3), [start + IDEMPOTENCY_PRUNE_PAUSE_MS]);
  });
});
