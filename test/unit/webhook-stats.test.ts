import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presentWebhookStats } from '../../src/api/presenters.js';
import { HOUR_MS, lastHours } from '../../src/core/attempt-window.js';
import { tallyByHour } from '../../src/store/hourly-tally.js';

const T0 = Date.UTC(2025, 0, 15, 10, 30, 0);
const HOUR_OF_T0 = Date.UTC(2025, 0, 15, 10, 0, 0);

describe('webhook stats', () => {
  it('names the clock hours of the window, the current one last', () => {
    const hours = lastHours(T0, 24);
    assert.equal(hours.length, 24);
    assert.equal(hours.at(-1), HOUR_OF_T0);
    assert.equal(hours[0], HOUR_OF_T0 - 23 * HOUR_MS);
    assert.deepEqual(lastHours(HOUR_OF_T0, 1), [HOUR_OF_T0], 'an hour starts at its first millisecond');
  });

  it('sums a batch of attempts into one tally per webhook and hour', () => {
    const tallies = tallyByHour([
      { webhookId: 'wh_a', attemptedAt: T0, succeeded: true, responseMs: 10.4 },
      { webhookId: 'wh_a', attemptedAt: T0 + 60_000, succeeded: false, responseMs: 20 },
      { webhookId: 'wh_a', attemptedAt: T0 - 60_000, succeeded: true, responseMs: 30 },
      { webhookId: 'wh_a', attemptedAt: HOUR_OF_T0 + HOUR_MS, succeeded: false, responseMs: 5 },
      { webhookId: 'wh_b', attemptedAt: T0, succeeded: false, responseMs: 1 },
    ]);
    assert.deepEqual(tallies, [
      {
        webhookId: 'wh_a',
        hour: HOUR_OF_T0,
        succeeded: 2,
        failed: 1,
        responseMs: 60,
        lastSuccessAt: T0,
        lastFailureAt: T0 + 60_000,
      },
      {
        webhookId: 'wh_a',
        hour: HOUR_OF_T0 + HOUR_MS,
        succeeded: 0,
        failed: 1,
        responseMs: 5,
        lastSuccessAt: null,
        lastFailureAt: HOUR_OF_T0 + HOUR_MS,
      },
      {
        webhookId: 'wh_b',
        hour: HOUR_OF_T0,
        succeeded: 0,
        failed: 1,
        responseMs: 1,
        lastSuccessAt: null,
        lastFailureAt: T0,
      },
    ]);
  });

  it('answers every hour of the window, the rate and the mean over the hours inside it only', () => {
    const window = lastHours(T0, 24);
    const presented = presentWebhookStats(
      {
        webhookId: 'wh_a',
        hours: [
          { hour: HOUR_OF_T0 - 24 * HOUR_MS, succeeded: 100, failed: 0, responseMs: 100 }, // before the window
          { hour: HOUR_OF_T0 - 2 * HOUR_MS, succeeded: 3, failed: 1, responseMs: 400 },
          { hour: HOUR_OF_T0, succeeded: 0, failed: 4, responseMs: 401 },
        ],
        lastSuccessAt: HOUR_OF_T0 - HOUR_MS - 1,
        lastFailureAt: T0,
      },
      window,
    );
    assert.equal(presented.hours.length, 24);
    assert.deepEqual(presented.hours.at(-3), {
      start: new Date(HOUR_OF_T0 - 2 * HOUR_MS).toISOString(),
      succeeded: 3,
      failed: 1,
    });
    assert.deepEqual(presented.hours.at(-2), {
      start: new Date(HOUR_OF_T0 - HOUR_MS).toISOString(),
      succeeded: 0,
      failed: 0,
    });
    assert.deepEqual(
      { ...presented, hours: undefined },
      {
        webhookId: 'wh_a',
        since: new Date(HOUR_OF_T0 - 23 * HOUR_MS).toISOString(),
        attempts: 8,
        succeeded: 3,
        failed: 5,
        successRate: 3 / 8,
        averageResponseMs: 100,
        lastSuccessAt: new Date(HOUR_OF_T0 - HOUR_MS - 1).toISOString(),
        lastFailureAt: new Date(T0).toISOString(),
        hours: undefined,
      },
    );
  });

  it('has no rate and no mean without attempts', () => {
    const presented = presentWebhookStats(
      { webhookId: 'wh_a', hours: [], lastSuccessAt: null, lastFailureAt: null },
      lastHours(T0, 24),
    );
    assert.equal(presented.attempts, 0);
    assert.equal(presented.successRate, null);
    assert.equal(presented.averageResponseMs, null);
    assert.ok(presented.hours.every((hour) => hour.succeeded === 0 && hour.failed === 0));
  });
});
