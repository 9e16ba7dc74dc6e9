import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { decideOutcome, GONE_REASON } from '../../src/core/outcome.js';
import { parseRetryAfter } from '../../src/core/retry-after.js';
import {
  DEFAULT_RETRY_AFTER_CAP_MS,
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
    ['5d', 432_000_000],
    ['1.5d', 129_600_000],
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
    '1w',
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
    [86_400_000, '1d'],
    [90_000_000, '25h'],
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
    assert.throws(() => parseRetrySchedule('1w'), /"1w" is not a duration/);
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
  const POLICY = { schedule: DEFAULT_RETRY_SCHEDULE, retryAfterCapMs: DEFAULT_RETRY_AFTER_CAP_MS };
  function claimed(trigger: DeliveryTrigger, attempt: number): ClaimedDelivery {
    return {
      id: 'dlv_01jhmzk3c0000000000000000a',
      lease: 'lease-42',
      tenantId: 'tenant_abc123',
      webhookId: 'wh_01jhmzk3c0000000000000000b',
      url: 'https://example.com/hook',
      secret: null,
      previousSecret: null,
      ordering: 'none',
      rateLimit: null,
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
    requestHeaders: null,
    retryAfterMs: null,
  };
  const success: AttemptResult = {
    statusCode: 200,
    responseTimeMs: 7,
    attemptedAt: NOW,
    error: null,
    retryAfterMs: null,
    responseBody: 'ok',
    requestHeaders: null,
  };

  it('copies the delivery id, the lease and the attempt result', () => {
    const outcome = decideOutcome(claimed('event', 1), success, POLICY, NOW);
    assert.deepEqual(outcome, {
      ...success,
      deliveryId: 'dlv_01jhmzk3c0000000000000000a',
      lease: 'lease-42',
      verdict: 'succeeded',
    });
  });

  it('schedules a retry with nextAttemptAt from the schedule', () => {
    const outcome = decideOutcome(claimed('event', 2), failure, POLICY, NOW + 5);
    assert.deepEqual(outcome, {
      ...failure,
      deliveryId: 'dlv_01jhmzk3c0000000000000000a',
      lease: 'lease-42',
      verdict: 'retry',
      nextAttemptAt: NOW + 5 + 300_000,
    });
  });

  it('dead-letters an event delivery out of retries', () => {
    const outcome = decideOutcome(claimed('event', 4), failure, POLICY, NOW);
    assert.equal(outcome.verdict, 'dead');
    assert.equal('nextAttemptAt' in outcome, false);
    assert.equal(outcome.deliveryId, 'dlv_01jhmzk3c0000000000000000a');
    assert.equal(outcome.lease, 'lease-42');
  });

  it('retries resends and replays like events', () => {
    for (const trigger of ['resend', 'replay'] as const) {
      const outcome = decideOutcome(claimed(trigger, 1), failure, { ...POLICY, schedule: [1_000] }, NOW);
      assert.equal(outcome.verdict, 'retry', trigger);
      assert.equal(outcome.verdict === 'retry' && outcome.nextAttemptAt, NOW + 1_000);
    }
  });

  it('never retries nor dead-letters a test: its failure stands as failed', () => {
    for (const attempt of [1, 4]) {
      const outcome = decideOutcome(claimed('test', attempt), failure, POLICY, NOW);
      assert.deepEqual(outcome, {
        ...failure,
        deliveryId: 'dlv_01jhmzk3c0000000000000000a',
        lease: 'lease-42',
        verdict: 'failed',
      });
    }
  });

  it('calls a successful test succeeded', () => {
    const outcome = decideOutcome(claimed('test', 1), success, POLICY, NOW);
    assert.equal(outcome.verdict, 'succeeded');
  });

  it('judges by the error, so a 3xx reported as an error is a failure', () => {
    const redirect: AttemptResult = {
      ...failure,
      statusCode: 302,
      error: 'HTTP 302 (redirects are not followed)',
    };
    assert.equal(decideOutcome(claimed('event', 1), redirect, POLICY, NOW).verdict, 'retry');
  });

  it('dead-letters on 410 Gone without waiting out the schedule, and asks for the webhook to be disabled', () => {
    const gone: AttemptResult = { ...failure, statusCode: 410, error: 'HTTP 410' };
    const outcome = decideOutcome(claimed('event', 1), gone, POLICY, NOW);
    assert.equal(outcome.verdict, 'dead');
    assert.equal(outcome.disableWebhook, GONE_REASON);
    const test = decideOutcome(claimed('test', 1), gone, POLICY, NOW);
    assert.equal(test.verdict, 'failed', 'a test is never dead-lettered');
    assert.equal(test.disableWebhook, GONE_REASON);
    assert.equal(decideOutcome(claimed('event', 1), failure, POLICY, NOW).disableWebhook, undefined);
  });

  it('postpones a retry by Retry-After, up to the cap, never sooner than the schedule', () => {
    const nextAt = (retryAfterMs: number | null, cap = POLICY.retryAfterCapMs) => {
      const busy: AttemptResult = { ...failure, statusCode: 429, error: 'HTTP 429', retryAfterMs };
      const outcome = decideOutcome(claimed('event', 1), busy, { ...POLICY, retryAfterCapMs: cap }, NOW);
      return outcome.verdict === 'retry' ? outcome.nextAttemptAt - NOW : null;
    };
    assert.equal(nextAt(null), 60_000, 'no Retry-After: the schedule');
    assert.equal(nextAt(120_000), 120_000, 'longer than the schedule: as asked');
    assert.equal(nextAt(5_000), 60_000, 'shorter than the schedule: the schedule');
    assert.equal(nextAt(7_200_000), 3_600_000, 'past the cap: the cap');
    assert.equal(nextAt(7_200_000, 30_000), 60_000, 'a cap below the schedule never brings it forward');
    const last = decideOutcome(
      claimed('event', 4),
      { ...failure, statusCode: 503, retryAfterMs: 120_000 },
      POLICY,
      NOW,
    );
    assert.equal(last.verdict, 'dead', 'Retry-After grants no extra attempt');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    assert.equal(parseRetryAfter('120', NOW), 120_000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
    assert.equal(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90_000);
    assert.equal(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), NOW), 0, 'a past date: no wait');
    for (const bad of [undefined, '', 'soon', '-5', '1.5', '12abc']) {
      assert.equal(parseRetryAfter(bad, NOW), null, String(bad));
    }
  });
});
