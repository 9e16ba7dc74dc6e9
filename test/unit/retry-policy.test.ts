import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { decideOutcome } from '../../src/core/outcome.js';
import {
  DEFAULT_RETRY_SCHEDULE,
  formatRetrySchedule,
  isSuccessStatus,
  judgeAttempt,
  parseRetrySchedule,
} from '../../src/core/retry-policy.js';
import type { AttemptResult, ClaimedDelivery, DeliveryTrigger } from '../../src/core/types.js';

const NOW = Date.UTC(2025, 0, 15, 10, 30, 0);

describe('parseDuration', () => {
  const cases: [string, number][] = [
    ['250ms', 250],
    ['0ms', 0],
    ['10s', 10_000],
    ['1m', 60_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1.5s', 1_500],
    ['0.5m', 30_000],
    ['1.25h', 4_500_000],
    ['1.5ms', 2],
    [' 10s ', 10_000],
    ['10 s', 10_000],
    ['\t5m\n', 300_000],
  ];
  for (const [text, ms] of cases) {
    it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  for (const text of [
    '',
    '   ',
    '10',
    '1d',
    '-1s',
    '1.s',
    '.5s',
    's',
    '1 0s',
    '10S',
    '1m30s',
    '1e3ms',
    '+1s',
  ]) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(parseDuration(text), null);
    });
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [250, '250ms'],
    [999, '999ms'],
    [0, '0ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [10_000, '10s'],
    [60_000, '1m'],
    [90_000, '1.5m'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [5_400_000, '1.5h'],
    [61_000, '61s'],
  ];
  for (const [ms, text] of cases) {
    it(`writes ${ms} ms as ${text}`, () => {
      assert.equal(formatDuration(ms), text);
    });
  }

  it('writes 2010 ms as 2.01s like 1500 ms as 1.5s', () => {
    assert.equal(formatDuration(2_010), '2.01s');
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [
      1, 250, 1_000, 1_500, 45_000, 60_000, 90_000, 300_000, 900_000, 3_600_000, 86_400_000,
    ]) {
      assert.equal(parseDuration(formatDuration(ms)), ms, `${ms} → ${formatDuration(ms)}`);
    }
  });
});

describe('parseRetrySchedule', () => {
  it('reads the default schedule', () => {
    assert.deepEqual(parseRetrySchedule('1m,5m,15m'), [60_000, 300_000, 900_000]);
    assert.deepEqual(DEFAULT_RETRY_SCHEDULE, [60_000, 300_000, 900_000]);
  });

  it('tolerates spaces around parts', () => {
    assert.deepEqual(parseRetrySchedule(' 30s , 1.5m,2h '), [30_000, 90_000, 7_200_000]);
  });

  it('reads an empty string as no retries', () => {
    assert.deepEqual(parseRetrySchedule(''), []);
    assert.deepEqual(parseRetrySchedule('   '), []);
  });

  it('names the bad part in its error', () => {
    assert.throws(
      () => parseRetrySchedule('1m,5x,15m'),
      (error: Error) => {
        assert.match(error.message, /"5x" is not a duration/);
        return true;
      },
    );
    assert.throws(() => parseRetrySchedule('1m, 10 ,15m'), /"10" is not a duration/);
    assert.throws(() => parseRetrySchedule('1m,,15m'), /"" is not a duration/);
    assert.throws(() => parseRetrySchedule('1d'), /"1d" is not a duration/);
  });

  it('formats back to the text it came from', () => {
    assert.equal(formatRetrySchedule(parseRetrySchedule('1m,5m,15m')), '1m,5m,15m');
    assert.equal(formatRetrySchedule([500, 1_500, 90_000]), '500ms,1.5s,1.5m');
    assert.equal(formatRetrySchedule([]), '');
  });
});

describe('judgeAttempt', () => {
  it('retries attempts 1 to 3 after the matching delay of the default schedule', () => {
    assert.deepEqual(judgeAttempt(DEFAULT_RETRY_SCHEDULE, 1, false, NOW), {
      kind: 'retry',
      nextAttemptAt: NOW + 60_000,
    });
    assert.deepEqual(judgeAttempt(DEFAULT_RETRY_SCHEDULE, 2, false, NOW), {
      kind: 'retry',
      nextAttemptAt: NOW + 300_000,
    });
    assert.deepEqual(judgeAttempt(DEFAULT_RETRY_SCHEDULE, 3, false, NOW), {
      kind: 'retry',
      nextAttemptAt: NOW + 900_000,
    });
  });

  it('dead-letters attempt 4 of the default schedule', () => {
    assert.deepEqual(judgeAttempt(DEFAULT_RETRY_SCHEDULE, 4, false, NOW), { kind: 'dead' });
    assert.deepEqual(judgeAttempt(DEFAULT_RETRY_SCHEDULE, 5, false, NOW), { kind: 'dead' });
  });

  it('dead-letters the first failure when the schedule is empty', () => {
    assert.deepEqual(judgeAttempt([], 1, false, NOW), { kind: 'dead' });
  });

  it('calls every success succeeded, even past the schedule', () => {
    for (const attempt of [1, 2, 3, 4, 9]) {
      assert.deepEqual(judgeAttempt(DEFAULT_RETRY_SCHEDULE, attempt, true, NOW), { kind: 'succeeded' });
    }
    assert.deepEqual(judgeAttempt([], 1, true, NOW), { kind: 'succeeded' });
  });
});

describe('isSuccessStatus', () => {
  const cases: [number, boolean][] = [
    [199, false],
    [200, true],
    [201, true],
    [204, true],
    [299, true],
    [300, false],
    [302, false],
    [404, false],
    [500, false],
  ];
  for (const [status, success] of cases) {
    it(`${status} is ${success ? 'a success' : 'a failure'}`, () => {
      assert.equal(isSuccessStatus(status), success);
    });
  }
});

describe('decideOutcome', () => {
  function claimed(trigger: DeliveryTrigger, attempt: number): ClaimedDelivery {
    return {
      id: 'dlv_01jhmzk3c0000000000000000a',
      lease: 'lease-42',
      tenantId: 'tenant_abc123',
      webhookId: 'wh_01jhmzk3c0000000000000000b',
      url: 'https://example.com/hook',
      secret: null,
      eventId: 'evt_01jhmzk3c0000000000000000c',
      event: 'ingestion.completed',
      attempt,
      trigger,
      payload: Buffer.from('{}'),
    };
  }
  const failure: AttemptResult = {
    statusCode: 500,
    responseTimeMs: 12,
    attemptedAt: NOW,
    error: 'HTTP 500',
    responseBody: 'oops',
  };
  const success: AttemptResult = {
    statusCode: 200,
    responseTimeMs: 7,
    attemptedAt: NOW,
    error: null,
    responseBody: 'ok',
  };

  it('copies the delivery id, the lease and the attempt result', () => {
    const outcome = decideOutcome(claimed('event', 1), success, DEFAULT_RETRY_SCHEDULE, NOW);
    assert.deepEqual(outcome, {
      ...success,
      deliveryId: 'dlv_01jhmzk3c0000000000000000a',
      lease: 'lease-42',
      verdict: 'succeeded',
    });
  });

  it('schedules a retry with nextAttemptAt from the schedule', () => {
    const outcome = decideOutcome(claimed('event', 2), failure, DEFAULT_RETRY_SCHEDULE, NOW + 5);
    assert.deepEqual(outcome, {
      ...failure,
      deliveryId: 'dlv_01jhmzk3c0000000000000000a',
      lease: 'lease-42',
      verdict: 'retry',
      nextAttemptAt: NOW + 5 + 300_000,
    });
  });

  it('dead-letters an event delivery out of retries', () => {
    const outcome = decideOutcome(claimed('event', 4), failure, DEFAULT_RETRY_SCHEDULE, NOW);
    assert.equal(outcome.verdict, 'dead');
    assert.equal('nextAttemptAt' in outcome, false);
    assert.equal(outcome.deliveryId, 'dlv_01jhmzk3c0000000000000000a');
    assert.equal(outcome.lease, 'lease-42');
  });

  it('retries resends and replays like events', () => {
    for (const trigger of ['resend', 'replay'] as const) {
      const outcome = decideOutcome(claimed(trigger, 1), failure, [1_000], NOW);
      assert.equal(outcome.verdict, 'retry', trigger);
      assert.equal(outcome.verdict === 'retry' && outcome.nextAttemptAt, NOW + 1_000);
    }
  });

  it('never retries nor dead-letters a test: its failure stands as failed', () => {
    for (const attempt of [1, 4]) {
      const outcome = decideOutcome(claimed('test', attempt), failure, DEFAULT_RETRY_SCHEDULE, NOW);
      assert.deepEqual(outcome, {
        ...failure,
        deliveryId: 'dlv_01jhmzk3c0000000000000000a',
        lease: 'lease-42',
        verdict: 'failed',
      });
    }
  });

  it('calls a successful test succeeded', () => {
    const outcome = decideOutcome(claimed('test', 1), success, DEFAULT_RETRY_SCHEDULE, NOW);
    assert.equal(outcome.verdict, 'succeeded');
  });

  it('judges by the error, so a 3xx reported as an error is a failure', () => {
    const redirect: AttemptResult = {
      ...failure,
      statusCode: 302,
      error: 'HTTP 302 (redirects are not followed)',
    };
    assert.equal(decideOutcome(claimed('event', 1), redirect, DEFAULT_RETRY_SCHEDULE, NOW).verdict, 'retry');
  });
});
