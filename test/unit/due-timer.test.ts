import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DueTimer } from '../../src/delivery/due-timer.js';

const POLL_MS = 1_000;

/**
 * A due timer over a queue whose next due time is `dueAt`, at clock time `now`; resolves with how
 * long after its aim it fired (mock timers: no real waiting).
 */
async function firesAfter(
  t: import('node:test').TestContext,
  situation: { now: number; dueAt: number | null; held: number; lookedAt: number },
): Promise<number> {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let fired = false;
  const timer = new DueTimer({
    queue: { tidyQueue: async () => ({ changed: 0, nextDueAt: situation.dueAt }) },
    clock: { now: () => situation.now },
    pollIntervalMs: POLL_MS,
    fire: () => {
      fired = true;
    },
  });
  await timer.aim(situation.held, situation.lookedAt);
  for (let elapsed = 1; elapsed <= POLL_MS; elapsed++) {
    t.mock.timers.tick(1);
    if (fired) return elapsed;
  }
  timer.stop();
  return Number.POSITIVE_INFINITY;
}

describe('the due timer', () => {
  it('is aimed at the next due time, at most the poll interval away', async (t) => {
    assert.equal(await firesAfter(t, { now: 10_000, dueAt: 10_250, held: 3, lookedAt: 10_000 }), 250);
    t.mock.timers.reset();
    assert.equal(await firesAfter(t, { now: 10_000, dueAt: 60_000, held: 3, lookedAt: 10_000 }), POLL_MS);
    t.mock.timers.reset();
    assert.equal(await firesAfter(t, { now: 10_000, dueAt: null, held: 0, lookedAt: 10_000 }), POLL_MS);
  });

  it('looks again soon for work that fell due after the last claim looked, busy or not', async (t) => {
    // The timer fired a few ms early: the claim looked at 9,996, the work fell due at 10,000, and
    // by the time the timer is aimed again it is 10,003. Waiting the poll interval would make it a second late.
    const soon = await firesAfter(t, { now: 10_003, dueAt: 10_000, held: 3, lookedAt: 9_996 });
    assert.ok(soon <= 20, `fired after ${soon} ms`);
  });

  it('waits the poll interval when busy and the last claim saw the due work but could not take it', async (t) => {
    assert.equal(await firesAfter(t, { now: 10_003, dueAt: 10_000, held: 3, lookedAt: 10_001 }), POLL_MS);
    t.mock.timers.reset();
    const idle = await firesAfter(t, { now: 10_003, dueAt: 10_000, held: 0, lookedAt: 10_001 });
    assert.ok(idle <= 20, `holding nothing, fired after ${idle} ms`);
  });

  it('is brought forward by an earlier due time, never pushed back by a later one', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let now = 10_000;
    const fired: number[] = [];
    const timer = new DueTimer({
      queue: { tidyQueue: async () => ({ changed: 0, nextDueAt: null }) },
      clock: { now: () => now },
      pollIntervalMs: POLL_MS,
      fire: () => fired.push(now),
    });
    await timer.aim(0, now);
    timer.aimNoLaterThan(now + 300);
    timer.aimNoLaterThan(now + 800);
    for (let elapsed = 0; elapsed < POLL_MS; elapsed++) {
      now += 1;
      t.mock.timers.tick(1);
    }
    assert.deepEqual(fired, [10_300]);
  });
});
