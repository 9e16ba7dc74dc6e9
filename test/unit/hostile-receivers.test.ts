import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import type { AttemptResult } from '../../src/core/types.js';
import type { AttemptSender } from '../../src/delivery/attempt-sender.js';
import { HttpSender, RESPONSE_EXCERPT_BYTES } from '../../src/delivery/http-sender.js';
import { NetworkPolicy, type NetworkPolicyOptions } from '../../src/delivery/ssrf.js';
import { ThreadedSender } from '../../src/delivery/threaded-sender.js';
import { claimedDelivery } from '../support/claimed-delivery.js';
import { HostileReceiver } from '../support/hostile-receiver.js';

const TIMEOUT_MS = 500;
/** How late past the deadline an attempt may resolve: timer scheduling on a busy test machine. */
const LATE_MS = 400;

/** An HttpSender with the test timeout, allowed to reach loopback. */
function httpSender(policyOptions: NetworkPolicyOptions = {}): HttpSender {
  return new HttpSender({
    timeoutMs: TIMEOUT_MS,
    policy: new NetworkPolicy(['127.0.0.0/8'], policyOptions),
    userAgent: 'Herald-test',
    now: Date.now,
  });
}

/** One attempt and how long it took to resolve, in milliseconds. */
async function timed(sender: AttemptSender, url: string): Promise<{ result: AttemptResult; tookMs: number }> {
  const started = performance.now();
  const result = await sender.send(claimedDelivery(url));
  return { result, tookMs: performance.now() - started };
}

function assertEndedAtDeadline(tookMs: number, result: AttemptResult): void {
  assert.ok(tookMs >= TIMEOUT_MS - 1, `resolved after ${tookMs} ms, before the ${TIMEOUT_MS} ms deadline`);
  assert.ok(tookMs < TIMEOUT_MS + LATE_MS, `resolved after ${tookMs} ms, long past the deadline`);
  assert.ok(result.responseTimeMs >= TIMEOUT_MS - 1 && result.responseTimeMs < TIMEOUT_MS + LATE_MS);
}

function assertEndedEarly(tookMs: number): void {
  assert.ok(tookMs < TIMEOUT_MS, `resolved after ${tookMs} ms: it waited for the deadline`);
}

function assertTimedOut(result: AttemptResult): void {
  assert.deepEqual(
    [result.statusCode, result.error, result.responseBody, result.retryAfterMs],
    [null, 'timed out after 500ms', null, null],
  );
}

function assertFailedWith(result: AttemptResult, error: string | RegExp): void {
  assert.equal(result.statusCode, null);
  assert.equal(result.responseBody, null);
  if (typeof error === 'string') assert.equal(result.error, error);
  else assert.match(result.error ?? '', error);
}

describe('HttpSender against hostile receivers', () => {
  let receiver: HostileReceiver;
  const sender = httpSender();

  before(async () => {
    receiver = await new HostileReceiver().start();
  });
  after(async () => {
    await sender.close();
    await receiver.close();
  });

  describe('one deadline covers connect, headers and body', () => {
    it('ends a trickling body at the deadline: the 200 stands with what arrived, the connection is dropped', async () => {
      const { result, tookMs } = await timed(sender, receiver.url('/trickle?every=100'));
      assertEndedAtDeadline(tookMs, result);
      assert.equal(result.statusCode, 200);
      assert.equal(result.error, null);
      assert.match(result.responseBody ?? '', /^x{1,5}$/, 'the bytes that arrived before the deadline');
      await receiver.waitForNoConnections(LATE_MS);
    });

    it('keeps a trickling failure a failure at the deadline, with its Retry-After', async () => {
      const target = '/trickle?status=503&retry-after=120&every=100';
      const { result, tookMs } = await timed(sender, receiver.url(target));
      assertEndedAtDeadline(tookMs, result);
      assert.deepEqual([result.statusCode, result.error, result.retryAfterMs], [503, 'HTTP 503', 120_000]);
      assert.match(result.responseBody ?? '', /^x{1,5}$/);
    });

    it('times out headers that come only after three timeouts', async () => {
      const { result, tookMs } = await timed(sender, receiver.url(`/slow-headers?after=${3 * TIMEOUT_MS}`));
      assertEndedAtDeadline(tookMs, result);
      assertTimedOut(result);
      await receiver.waitForNoConnections(LATE_MS);
    });

    it('times out a receiver that takes the request and never answers', async () => {
      const { result, tookMs } = await timed(sender, receiver.url('/hang'));
      assertEndedAtDeadline(tookMs, result);
      assertTimedOut(result);
      await receiver.waitForNoConnections(LATE_MS);
    });

    it('times out a connection that never completes (its DNS lookup never answers)', async () => {
      // A TCP connect that never completes cannot be made reliably on loopback; DNS is part of
      // undici's connect, and the network policy's resolver is the seam tests use for DNS.
      const stalled = httpSender({ resolve: () => new Promise(() => undefined) });
      try {
        const { result, tookMs } = await timed(stalled, `http://never-resolves.test:${receiver.port}/answer`);
        assertEndedAtDeadline(tookMs, result);
        assertTimedOut(result);
      } finally {
        await stalled.close();
      }
    });

    it('aborts a request that gets its connection only after the deadline, before sending it', async () => {
      // The lookup answers 100 ms before the deadline, from a setImmediate, and the event loop is
      // then held past the deadline: the next turn runs the deadline (timers come first) before
      // undici sees the connection complete and hands the request its abort function.
      const lateLookup = (): Promise<LookupAddress[]> => {
        const deadlineAt = performance.now() + TIMEOUT_MS;
        return new Promise((answer) => {
          setTimeout(() => {
            setImmediate(() => {
              answer([{ address: '127.0.0.1', family: 4 }]);
              // After the policy's handler, which starts the connection.
              queueMicrotask(() => {
                while (performance.now() < deadlineAt + 20) {
                  // hold the event loop past the deadline
                }
              });
            });
          }, TIMEOUT_MS - 100);
        });
      };
      const late = httpSender({ resolve: lateLookup });
      const acceptedBefore = receiver.acceptedConnections;
      try {
        const { result, tookMs } = await timed(
          late,
          `http://late-lookup.test:${receiver.port}/answer?for=late`,
        );
        assertEndedAtDeadline(tookMs, result);
        assertTimedOut(result);
        await receiver.waitUntil(
          () => receiver.acceptedConnections > acceptedBefore && receiver.openConnections === 0,
          'the late connection to be made and dropped',
        );
      } finally {
        await late.close();
      }
      assert.equal(receiver.at('/answer?for=late').length, 0, 'the request was never sent');
    });

    it('clears the deadline of an attempt that ends before it', async () => {
      const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
      await timed(sender, receiver.url('/answer'));
      const before = timers();
      const results = await Promise.all(
        Array.from({ length: 50 }, () => sender.send(claimedDelivery(receiver.url('/answer')))),
      );
      assert.ok(results.every((result) => result.statusCode === 200));
      assert.ok(timers() <= before + 2, `${timers() - before} more timers after 50 finished attempts`);
    });
  });

  describe('closing', () => {
    it('waits for the attempts under way, each ending by its deadline', async () => {
      const closing = httpSender();
      // A connection that has closed (every answer here closes its own) once made undici's
      // Agent.close() forget the attempts under way; see AttemptsInFlight.
      await timed(closing, receiver.url('/answer'));
      const target = '/trickle?every=100&for=sender-close';
      let answered = 0;
      const attempts = Array.from({ length: 3 }, () =>
        closing.send(claimedDelivery(receiver.url(target))).then((result) => {
          answered += 1;
          return result;
        }),
      );
      await receiver.waitFor(target, 3);
      const started = performance.now();
      await closing.close();
      const closedAfterMs = performance.now() - started;
      assert.equal(answered, 3, 'closed before every attempt had its result');
      assert.ok(closedAfterMs < TIMEOUT_MS + LATE_MS, `closed after ${closedAfterMs} ms`);
      for (const result of await Promise.all(attempts)) assert.equal(result.statusCode, 200);
    });
  });

  describe('bodies too large to read', () => {
    it('keeps the status and an excerpt of a 10 MB body, and drops the rest', async () => {
      const { result, tookMs } = await timed(sender, receiver.url('/giant?bytes=10485760'));
      assertEndedEarly(tookMs);
      assert.deepEqual([result.statusCode, result.error], [200, null]);
      assert.equal(result.responseBody, 'x'.repeat(RESPONSE_EXCERPT_BYTES));
    });

    it('keeps the status and an excerpt of an endless chunked body, and hangs up', async () => {
      const { result, tookMs } = await timed(sender, receiver.url('/endless'));
      assertEndedEarly(tookMs);
      assert.deepEqual([result.statusCode, result.error], [200, null]);
      assert.equal(result.responseBody, 'x'.repeat(RESPONSE_EXCERPT_BYTES));
      await receiver.waitForNoConnections(LATE_MS);
    });
  });

  describe('broken connections and broken HTTP', () => {
    for (const [target, error] of [
      ['/reset-before-headers', 'connection reset by the receiver'],
      ['/reset-mid-body', 'connection reset by the receiver'],
      ['/close-mid-body', 'connection closed by the receiver'],
      ['/huge-headers?bytes=102400', 'response headers too large'],
      ['/garbage?text=hello', /^Response does not match the HTTP\/1\.1 protocol/],
      ['/noise?bytes=4096', /^Response does not match the HTTP\/1\.1 protocol/],
    ] as const) {
      it(`fails ${target} with "${error}"`, async () => {
        const { result, tookMs } = await timed(sender, receiver.url(target));
        assertEndedEarly(tookMs);
        assertFailedWith(result, error);
      });
    }

    it('sends on as usual after all of that', async () => {
      const { result } = await timed(sender, receiver.url('/answer?body=fine'));
      assert.deepEqual([result.statusCode, result.error, result.responseBody], [200, null, 'fine']);
    });
  });

  describe('answers that say something', () => {
    it('records 410 Gone as a failure with its status', async () => {
      const { result } = await timed(sender, receiver.url('/answer?status=410&body=gone'));
      assert.deepEqual(
        [result.statusCode, result.error, result.responseBody, result.retryAfterMs],
        [410, 'HTTP 410', 'gone', null],
      );
    });

    it('reads Retry-After in seconds on a 429 and a 503', async () => {
      for (const status of [429, 503]) {
        const { result } = await timed(sender, receiver.url(`/answer?status=${status}&retry-after=120`));
        assert.deepEqual(
          [result.statusCode, result.error, result.retryAfterMs],
          [status, `HTTP ${status}`, 120_000],
        );
      }
    });

    it('reads Retry-After as an HTTP date on a 429 and a 503', async () => {
      for (const status of [429, 503]) {
        const date = new Date(Date.now() + 90_000).toUTCString();
        const target = `/answer?status=${status}&retry-after=${encodeURIComponent(date)}`;
        const { result } = await timed(sender, receiver.url(target));
        assert.deepEqual([result.statusCode, result.error], [status, `HTTP ${status}`]);
        // The date has whole seconds: up to a second less than asked, less the time it took.
        const wait = result.retryAfterMs ?? 0;
        assert.ok(wait > 88_000 && wait <= 90_000, `Retry-After ${date} read as ${wait} ms`);
      }
    });

    it('ignores Retry-After on other statuses', async () => {
      const { result } = await timed(sender, receiver.url('/answer?status=500&retry-after=120'));
      assert.deepEqual([result.statusCode, result.retryAfterMs], [500, null]);
    });
  });
});

describe('ThreadedSender against hostile receivers', () => {
  let receiver: HostileReceiver;

  before(async () => {
    receiver = await new HostileReceiver().start();
  });
  after(async () => {
    await receiver.close();
  });

  function threadedSender(): ThreadedSender {
    return new ThreadedSender(
      { timeoutMs: TIMEOUT_MS, allowNetworks: ['127.0.0.0/8'], userAgent: 'Herald-test' },
      1,
      () => undefined,
    );
  }

  it('ends a trickling attempt at the deadline in a sender thread too', async () => {
    const threads = threadedSender();
    await threads.ready();
    try {
      const { result, tookMs } = await timed(threads, receiver.url('/trickle?every=100&for=thread'));
      assertEndedAtDeadline(tookMs, result);
      assert.deepEqual([result.statusCode, result.error], [200, null]);
      assert.match(result.responseBody ?? '', /^x{1,5}$/);
    } finally {
      await threads.close();
    }
  });

  it('closes within the deadline while attempts trickle, and answers them with their results', async () => {
    const threads = threadedSender();
    await threads.ready();
    const target = '/trickle?every=100&for=close';
    const started = performance.now();
    const attempts = Array.from({ length: 3 }, () => threads.send(claimedDelivery(receiver.url(target))));
    await receiver.waitFor(target, 3);
    await threads.close();
    const closedAfterMs = performance.now() - started;
    assert.ok(closedAfterMs < TIMEOUT_MS + LATE_MS, `closed ${closedAfterMs} ms after the attempts started`);
    for (const result of await Promise.all(attempts)) {
      assert.deepEqual([result.statusCode, result.error], [200, null]);
      assert.match(result.responseBody ?? '', /^x{1,5}$/);
    }
  });
});
