import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttemptResult } from '../../src/core/types.js';
import { EMPTY_LANE_LINGER_MS, Lanes } from '../../src/delivery/lanes.js';
import { claimedDelivery } from '../support/claimed-delivery.js';

const MAX = 64;
const answered: AttemptResult = {
  statusCode: 200,
  responseTimeMs: 1,
  attemptedAt: 0,
  error: null,
  responseBody: '',
  requestHeaders: null,
  retryAfterMs: null,
};

/** Lanes on a clock the test moves, with `rounds` batches to one fast webhook sent and answered. */
function lanesAfterFastRounds(rounds: number) {
  let now = 0;
  const lanes = new Lanes({ webhookConcurrency: MAX, timeoutMs: 10_000, now: () => now, onPaced: () => {} });
  let id = 0;
  for (let round = 0; round < rounds; round++) {
    lanes.forgetIdleLanes();
    const room = lanes.claimRooms().get('wh_a') ?? lanes.roomOfNewLane();
    lanes.enqueue(
      Array.from({ length: room }, () => claimedDelivery('http://127.0.0.1/', { id: `dlv_${id++}` })),
    );
    // Everything the lane lets start is sent and answered before the next claim: a fast receiver.
    for (let started = lanes.startable('wh_a'); started.length > 0; started = lanes.startable('wh_a')) {
      for (const _ of started) lanes.finished('wh_a', answered);
    }
  }
  return { lanes, advance: (ms: number) => (now += ms) };
}

describe('Lanes: a fast webhook with a backlog', () => {
  it('keeps its emptied lane, so the next claim takes what its limit allows, not a first round', () => {
    const { lanes } = lanesAfterFastRounds(6);
    lanes.forgetIdleLanes();
    assert.equal(lanes.roomOfNewLane(), 4, 'a webhook not seen yet starts with a few');
    const room = lanes.claimRooms().get('wh_a');
    assert.equal(room, MAX, 'its limit climbed with every answer: a whole round');
  });

  it('drops an emptied lane once it has lingered, and a new claim starts it afresh', () => {
    const { lanes, advance } = lanesAfterFastRounds(6);
    advance(EMPTY_LANE_LINGER_MS - 1);
    lanes.forgetIdleLanes();
    assert.ok(lanes.claimRooms().has('wh_a'), 'still lingering');
    advance(1);
    lanes.forgetIdleLanes();
    assert.equal(
      lanes.claimRooms().has('wh_a'),
      false,
      'gone: claims count it with the webhooks without a lane',
    );
  });

  it('drops a lane emptied by taking what waited (a disable) the same way', () => {
    let now = 0;
    const lanes = new Lanes({
      webhookConcurrency: MAX,
      timeoutMs: 10_000,
      now: () => now,
      onPaced: () => {},
    });
    lanes.enqueue([claimedDelivery('http://127.0.0.1/')]);
    assert.equal(lanes.takeWaiting('wh_a').length, 1);
    lanes.forgetIdleLanes();
    assert.ok(lanes.claimRooms().has('wh_a'));
    now += EMPTY_LANE_LINGER_MS;
    lanes.forgetIdleLanes();
    assert.equal(lanes.claimRooms().has('wh_a'), false);
  });
});
