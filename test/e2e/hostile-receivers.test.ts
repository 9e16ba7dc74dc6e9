import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { Clock } from '../../src/core/clock.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { runHerald } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { HostileReceiver } from '../support/hostile-receiver.js';
import { Receiver } from '../support/receiver.js';

const TIMEOUT_MS = 500;
/** How late past its deadline an attempt may be answered: scheduling, and writing its outcome. */
const LATE_MS = 500;

/** Real time that a test can move ahead, so leases expire without waiting them out. */
class MovableClock implements Clock {
  private ahead = 0;
  // A bound function: Herald passes `clock.now` on alone (app.ts, createSender).
  readonly now = (): number => Date.now() + this.ahead;
  advance(ms: number): void {
    this.ahead += ms;
  }
}

for (const backend of TEST_BACKENDS) {
  describe(`hostile receivers end to end (${backend})`, () => {
    const clock = new MovableClock();
    let herald: TestHerald;
    let receiver: HostileReceiver;
    const t = '/v1/tenants/tenant_hostile';

    async function register(target: string): Promise<string> {
      const created = await herald.call('POST', `${t}/webhooks`, { body: { url: receiver.url(target) } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.id;
    }

    async function attempts(webhookId: string): Promise<any[]> {
      return (await herald.call('GET', `${t}/webhooks/${webhookId}/deliveries`)).body.data;
    }

    /** Moves time many leases ahead and has the worker claim whatever that made due. */
    async function outliveEveryLease(): Promise<void> {
      const dispatcher = herald.herald.dispatcher;
      assert.ok(dispatcher);
      clock.advance(10 * dispatcher.leaseMs);
      await dispatcher.drain();
    }

    before(async () => {
      receiver = await new HostileReceiver().start();
      herald = await startTestHerald(backend, { deliveryTimeoutMs: TIMEOUT_MS }, { clock });
      const created = await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_hostile' } });
      assert.equal(created.status, 201);
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    it('answers the Test action at the deadline of a trickling receiver, having sent one request', async () => {
      const target = '/trickle?every=100&for=test-action';
      const webhookId = await register(target);
      const started = performance.now();
      const answer = await herald.call('POST', `${t}/webhooks/${webhookId}/test`);
      const tookMs = performance.now() - started;
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.ok(tookMs < TIMEOUT_MS + LATE_MS, `the Test action answered after ${tookMs} ms`);
      assert.deepEqual(
        [answer.body.status, answer.body.statusCode, answer.body.error],
        ['succeeded', 200, null],
      );
      assert.ok(answer.body.responseTimeMs >= TIMEOUT_MS - 1, `${answer.body.responseTimeMs} ms`);
      const detail = await herald.call('GET', `${t}/deliveries/${answer.body.id}`);
      assert.match(detail.body.responseBody, /^x{1,5}$/);
      await receiver.waitForNoConnections();

      await outliveEveryLease();
      assert.equal(receiver.at(target).length, 1, 'one request, never sent again');
      assert.equal((await attempts(webhookId)).length, 1);
    });

    it('records one attempt of a delivery to a trickling receiver and never sends it again', async () => {
      const target = '/trickle?every=100&for=delivery';
      const webhookId = await register(target);
      const published = await herald.call('POST', `${t}/events`, { body: { event: 'kpi.alert', data: {} } });
      assert.equal(published.status, 202);
      const [row] = await eventually(async () => {
        const rows = await attempts(webhookId);
        return rows[0]?.status === 'succeeded' ? rows : undefined;
      }, 'the attempt to be recorded');
      assert.deepEqual([row.attempt, row.statusCode, row.error], [1, 200, null]);
      assert.ok(row.responseTimeMs >= TIMEOUT_MS - 1 && row.responseTimeMs < TIMEOUT_MS + LATE_MS);

      await outliveEveryLease();
      assert.equal(receiver.at(target).length, 1, 'one request, never sent again');
      assert.equal((await attempts(webhookId)).length, 1);
    });

    it("records what each hostile receiver did, while another tenant's deliveries stay prompt", async (test) => {
      const inTenMinutes = new Date(clock.now() + 600_000).toUTCString();
      const expected: [
        target: string,
        status: 'succeeded' | 'failed',
        statusCode: number | null,
        error: RegExp,
      ][] = [
        ['/trickle?every=100&for=all', 'succeeded', 200, /^$/],
        ['/slow-headers?after=1500', 'failed', null, /^timed out after 500ms$/],
        ['/hang?for=all', 'failed', null, /^timed out after 500ms$/],
        ['/giant?bytes=10485760', 'succeeded', 200, /^$/],
        ['/endless', 'succeeded', 200, /^$/],
        ['/reset-before-headers', 'failed', null, /^connection reset by the receiver$/],
        ['/reset-mid-body', 'failed', null, /^connection reset by the receiver$/],
        ['/close-mid-body', 'failed', null, /^connection closed by the receiver$/],
        ['/huge-headers?bytes=102400', 'failed', null, /^response headers too large$/],
        ['/garbage?text=hello', 'failed', null, /HTTP\/1\.1 protocol/],
        ['/noise?bytes=1024', 'failed', null, /HTTP\/1\.1 protocol|Parse Error/i],
        ['/answer?status=410', 'failed', 410, /^HTTP 410$/],
        ['/answer?status=429&retry-after=120', 'failed', 429, /^HTTP 429$/],
        [`/answer?status=503&retry-after=${encodeURIComponent(inTenMinutes)}`, 'failed', 503, /^HTTP 503$/],
      ];
      const ids = new Map<string, string>();
      for (const [target] of expected) ids.set(target, await register(target));
      const healthy = await new Receiver().start();
      try {
        assert.equal((await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_calm' } })).status, 201);
        const calm = await herald.call('POST', '/v1/tenants/tenant_calm/webhooks', {
          body: { url: healthy.url('/calm') },
        });
        assert.equal(calm.status, 201);
        const hostileEvent = await herald.call('POST', `${t}/events`, {
          body: { event: 'kpi.alert', data: {} },
        });
        assert.equal(hostileEvent.status, 202);
        // The other tenant publishes 20 events a second while the hostile receivers do their worst.
        const sentAt: number[] = [];
        for (let n = 0; n < 40; n++) {
          sentAt[n] = Date.now();
          const published = await herald.call('POST', '/v1/tenants/tenant_calm/events', {
            body: { event: 'kpi.computed', data: { n } },
          });
          assert.equal(published.status, 202);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const received = await healthy.waitFor('/calm', 40);
        const latencies = received
          .map(
            (request) => request.receivedAt - (sentAt[JSON.parse(request.body.toString()).data.n] as number),
          )
          .sort((a, b) => a - b);
        const p99 = latencies[Math.ceil(0.99 * latencies.length) - 1] as number;
        test.diagnostic(
          `calm tenant beside ${expected.length} hostile receivers: p99 ${p99} ms, max ${latencies.at(-1)} ms`,
        );
        assert.ok(p99 <= 100, `the calm tenant's publish→receipt p99 was ${p99} ms`);

        for (const [target, status, statusCode, error] of expected) {
          const first = await eventually(async () => {
            const rows = await attempts(ids.get(target) as string);
            const attempt = rows.find((row) => row.attempt === 1);
            return attempt && attempt.status !== 'pending' ? attempt : undefined;
          }, `the first attempt to ${target}`);
          assert.deepEqual([first.status, first.statusCode], [status, statusCode], target);
          assert.match(first.error ?? '', error, target);
          assert.ok(first.responseTimeMs < TIMEOUT_MS + LATE_MS, `${target}: ${first.responseTimeMs} ms`);
        }
        const gone = await herald.call('GET', `${t}/webhooks/${ids.get('/answer?status=410')}`);
        assert.equal(gone.body.status, 'disabled', '410 disables the webhook');
        for (const [target, waitMs] of [
          ['/answer?status=429&retry-after=120', 120_000],
          [`/answer?status=503&retry-after=${encodeURIComponent(inTenMinutes)}`, 590_000],
        ] as const) {
          const rows = await attempts(ids.get(target) as string);
          const retry = rows.find((row) => row.attempt === 2);
          const first = rows.find((row) => row.attempt === 1);
          const postponedMs = Date.parse(retry.nextAttemptAt) - Date.parse(first.timestamp);
          assert.ok(postponedMs >= waitMs, `${target}: the retry waits ${postponedMs} ms`);
        }
      } finally {
        await healthy.close();
      }
    });
  });
}

/** `herald serve` from source, once it listens: its API base URL and the process. */
async function serve(env: Record<string, string>, ...flags: string[]) {
  const run = runHerald(['serve', '--port', '0', '--host', '127.0.0.1', ...flags], env);
  const base = await eventually(
    () => /listening on (http:\/\/\S+)/.exec(run.output())?.[1],
    `herald serve to listen:\n${run.errors()}`,
  );
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> => {
    const response = await request(`${base}/v1/tenants${path}`, {
      method,
      headers: { authorization: `Bearer ${env.HERALD_ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return response.body.json();
  };
  return { run, call };
}

describe('herald serve with hostile receivers', () => {
  let dir: string;
  let receiver: HostileReceiver;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-hostile-'));
    receiver = await new HostileReceiver().start();
  });
  after(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 on SIGTERM within the delivery timeout while receivers trickle and hang', async () => {
    const env = {
      HERALD_DATABASE: join(dir, 'herald.db'),
      HERALD_ADMIN_KEY: 'hostile-admin-key-0123456789',
      HERALD_ALLOW_NETWORKS: '127.0.0.0/8',
      HERALD_DELIVERY_TIMEOUT: '1s',
      HERALD_LOG_LEVEL: 'warn',
    };
    const { run, call } = await serve(env);
    const webhooks = new Map<string, string>();
    try {
      await call('POST', '', { id: 'tenant_hostile' });
      for (const target of ['/trickle?every=100&for=sigterm', '/hang?for=sigterm']) {
        const created = await call('POST', '/tenant_hostile/webhooks', { url: receiver.url(target) });
        webhooks.set(target, created.id);
      }
      for (let n = 0; n < 3; n++)
        await call('POST', '/tenant_hostile/events', { event: 'kpi.alert', data: { n } });
      for (const target of webhooks.keys()) await receiver.waitFor(target, 3);

      const signalled = performance.now();
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0, run.errors());
      const exitedAfterMs = performance.now() - signalled;
      assert.ok(exitedAfterMs < 1_000 + 3_000, `exited ${exitedAfterMs} ms after SIGTERM`);
      assert.match(run.output(), /SIGTERM: finishing deliveries in flight/);
    } finally {
      run.child.kill('SIGKILL');
    }

    // What the attempts cut off by their deadline recorded before the exit.
    const again = await serve(env, '--no-workers');
    try {
      const recorded = async (target: string) => {
        const page = await again.call('GET', `/tenant_hostile/webhooks/${webhooks.get(target)}/deliveries`);
        return page.data.map((row: any) => [row.status, row.statusCode, row.error]);
      };
      const answered = ['succeeded', 200, null];
      assert.deepEqual(await recorded('/trickle?every=100&for=sigterm'), [answered, answered, answered]);
      // Newest first: each timed-out attempt's retry, queued, then the attempts themselves.
      const retry = ['pending', null, null];
      const timedOut = ['failed', null, 'timed out after 1s'];
      assert.deepEqual(await recorded('/hang?for=sigterm'), [
        retry,
        retry,
        retry,
        timedOut,
        timedOut,
        timedOut,
      ]);
    } finally {
      again.run.child.kill('SIGTERM');
      await again.run.exited;
    }
  });
});
