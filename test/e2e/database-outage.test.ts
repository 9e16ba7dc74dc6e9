/**
 * Herald on PostgreSQL keeps working when its database goes away. Two kinds of outage, neither of
 * which touches the machine's PostgreSQL cluster (other suites use it):
 * - its connections are killed again and again with pg_terminate_backend, under load;
 * - a longer outage: Herald reaches PostgreSQL through a TCP proxy that this test closes (connections
 *   refused, then reset) and reopens, as a restart or a network cut would look to it.
 * While the database is away, API calls answer 503 SERVICE_UNAVAILABLE (never a 500, never a crash)
 * and workers back off; afterwards every event published with a 202 is delivered.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { request } from 'undici';
import { type RunningHerald, startHerald } from '../../src/app.js';
import type { HeraldConfig } from '../../src/config.js';
import { eventually } from '../support/eventually.js';
import { capturedLogger, LOG_LEVEL, type LogLine } from '../support/log-lines.js';
import {
  adminQuery,
  dropSchemas,
  POSTGRES_TEST_URL,
  postgresSkipReason,
  uniqueSchemaName,
  waitNothingPending,
} from '../support/postgres.js';
import { Receiver } from '../support/receiver.js';
import { TEST_ENCRYPTION_KEY } from '../support/secrets.js';

const ADMIN_KEY = 'outage-admin-key-0123456789';
const TENANT = 'tenant_outage';
const DELIVERY_TIMEOUT_MS = 1_000;
/** The proxy test's slow webhook answers after SLOW_MS, well inside its delivery timeout. */
const SLOW_MS = 600;
const SLOW_TIMEOUT_MS = 2_000;
/** The dispatcher's lease (src/delivery/lease.ts): a lost completion is sent again after it. */
const leaseMs = (timeoutMs: number) => timeoutMs * 3 + 5_000;
/** Waiting is generous (other suites may share the two cores); what is asserted is exact. */
const WAIT_MS = 90_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function heraldConfig(database: string, overrides: Partial<HeraldConfig> = {}): Partial<HeraldConfig> {
  return {
    database,
    port: 0,
    host: '127.0.0.1',
    adminKey: ADMIN_KEY,
    encryptionKey: TEST_ENCRYPTION_KEY,
    allowNetworks: ['127.0.0.0/8'],
    retrySchedule: [200, 200, 200],
    deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
    pollIntervalMs: 100,
    logLevel: 'silent',
    // Bursts of publishes for one tenant, faster than a tenant's default rate.
    publishRate: 0,
    ...overrides,
  };
}

interface Answer {
  status: number;
  body: any;
}

/** An API call; a refused or reset connection to Herald itself would throw and fail the test. */
async function call(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const response = await request(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? JSON.parse(text) : null };
}

/** Every answer is the expected success or 503 SERVICE_UNAVAILABLE; tallies them by status. */
class Tally {
  readonly byStatus = new Map<number, number>();

  check(what: string, answer: Answer, success: number): boolean {
    this.byStatus.set(answer.status, (this.byStatus.get(answer.status) ?? 0) + 1);
    if (answer.status === success) return true;
    assert.equal(answer.status, 503, `${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body?.error?.code, 'SERVICE_UNAVAILABLE', `${what}: ${JSON.stringify(answer.body)}`);
    assert.equal(typeof answer.body?.error?.message, 'string');
    return false;
  }

  count(status: number): number {
    return this.byStatus.get(status) ?? 0;
  }

  toString(): string {
    return [...this.byStatus].map(([status, n]) => `${n}×${status}`).join(', ');
  }
}

/** The workers' log, kept: each error line in it must be the database being unreachable. */
const workerLog = capturedLogger('info');

/**
 * Delivery worker errors logged from now on: an outage is one line when it starts and one when the
 * database is back (ErrorLog), not a line per failed poll.
 */
function captureWorkerErrors(): {
  unexpected: () => LogLine[];
  count: () => number;
  recoveries: () => number;
} {
  const from = workerLog.lines.length;
  const since = () => workerLog.lines.slice(from);
  const errors = () => since().filter((line) => line.level >= LOG_LEVEL.error);
  return {
    unexpected: () => errors().filter((line) => !line.msg.startsWith('database unreachable')),
    count: () => errors().length,
    recoveries: () => since().filter((line) => line.msg === 'database reachable again').length,
  };
}

/** The webhook-ids the receiver answered, once each. */
function deliveredIds(receiver: Receiver, path: string): Set<string> {
  return new Set(receiver.at(path).map((received) => String(received.headers['webhook-id'])));
}

async function waitDelivered(receiver: Receiver, path: string, ids: Iterable<string>): Promise<void> {
  const wanted = [...ids];
  await eventually(
    () => {
      const seen = deliveredIds(receiver, path);
      return wanted.every((id) => seen.has(id)) || undefined;
    },
    // No count of those seen so far: worked out per id over tens of thousands, it would stall this
    // event loop, which also answers the deliveries, past their timeout.
    `${wanted.length} events at ${path}`,
    WAIT_MS,
  );
}

/**
 * Waits until no delivery of the schema is pending (an outcome lost with its connection is written by
 * the attempt after the lease expires), then checks each one succeeded and nothing was dead-lettered.
 */
async function assertAllSucceeded(schema: string): Promise<number> {
  await waitNothingPending(schema, 'every delivery to settle', WAIT_MS);
  const { rows } = await adminQuery<{ status: string; n: number; leased: number; errors: string[] }>(
    `SELECT status, count(*)::int AS n, count(lease)::int AS leased,
       array_agg(DISTINCT error) FILTER (WHERE error IS NOT NULL) AS errors
     FROM ${schema}.deliveries GROUP BY status`,
  );
  assert.deepEqual(
    rows.map((row) => [row.status, row.leased]),
    [['succeeded', 0]],
    JSON.stringify(rows),
  );
  const letters = await adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.dead_letters`);
  assert.equal(letters.rows[0]?.n, 0);
  return rows[0]?.n ?? 0;
}

/**
 * A TCP proxy in front of PostgreSQL, so that this test can take "the database" away from one Herald
 * without touching the cluster: `refuse()` stops listening and drops every connection (a stopped
 * server), `reset()` accepts and drops each new connection at once and counts them, `restore()`
 * forwards again on the same port.
 */
class PostgresProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private mode: 'forward' | 'reset' = 'forward';
  port = 0;
  resets = 0;

  async start(): Promise<this> {
    await this.listen(0);
    return this;
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((client) => {
      this.track(client);
      if (this.mode === 'reset') {
        this.resets += 1;
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(5432, '127.0.0.1');
      this.track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    this.server = server;
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Connections refused, established ones gone: what a stopped PostgreSQL looks like. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      const closed = once(server, 'close');
      server.close();
      this.dropAll();
      await closed;
    }
  }

  /** Listening again, but every connection is reset as soon as it is accepted (and counted). */
  async reset(): Promise<void> {
    this.mode = 'reset';
    this.resets = 0;
    if (!this.server) await this.listen(this.port);
  }

  async restore(): Promise<void> {
    this.mode = 'forward';
    if (!this.server) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.refuse();
  }
}

const skipReason = postgresSkipReason();

if (skipReason !== null) {
  console.log(`# database outage tests skipped: ${skipReason}`);
  it('database outages on PostgreSQL', { skip: skipReason }, () => undefined);
} else {
  describe('Herald through database outages (PostgreSQL)', () => {
    const schemas: string[] = [];
    const heralds: RunningHerald[] = [];
    const receivers: Receiver[] = [];
    const proxies: PostgresProxy[] = [];
    let workerErrors: ReturnType<typeof captureWorkerErrors> | null = null;

    afterEach(async () => {
      workerErrors = null;
      for (const proxy of proxies) await proxy.restore();
      await Promise.allSettled(heralds.splice(0).map((herald) => herald.stop()));
      for (const proxy of proxies.splice(0)) await proxy.close();
      for (const receiver of receivers.splice(0)) await receiver.close();
    });
    after(async () => {
      await dropSchemas(schemas);
    });

    /** An API-only and a workers-only Herald on one schema, as two processes of a deployment would be. */
    async function startPair(
      database: string,
      overrides: Partial<HeraldConfig> = {},
    ): Promise<{ base: string }> {
      const config = heraldConfig(database, overrides);
      const api = await startHerald({ config, workers: false, announce: () => {} });
      heralds.push(api);
      const workers = await startHerald({ config, api: false, announce: () => {}, logger: workerLog.logger });
      heralds.push(workers);
      const base = api.url as string;
      assert.equal((await call(base, 'POST', '/v1/tenants', { id: TENANT })).status, 201);
      return { base };
    }

    /**
     * A fresh schema reached through a proxy the test can cut, and a receiver that answers `slowPath`
     * after SLOW_MS (everything else at once).
     */
    async function behindProxy(slowPath: string) {
      const schema = uniqueSchemaName();
      schemas.push(schema);
      const proxy = await new PostgresProxy().start();
      proxies.push(proxy);
      // The test database (HERALD_TEST_POSTGRES_URL), reached through the proxy.
      const url = new URL(POSTGRES_TEST_URL);
      url.host = `127.0.0.1:${proxy.port}`;
      url.searchParams.set('schema', schema);
      const database = url.toString();
      const receiver = await new Receiver().start();
      receivers.push(receiver);
      receiver.reply(slowPath, { status: 200, delayMs: SLOW_MS });
      return { schema, proxy, database, receiver };
    }

    async function addWebhook(base: string, receiver: Receiver, path: string): Promise<void> {
      const created = await call(base, 'POST', `/v1/tenants/${TENANT}/webhooks`, { url: receiver.url(path) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }

    it('answers 503, never 500, while its connections are terminated under load, and loses nothing', async (t) => {
      const schema = uniqueSchemaName();
      schemas.push(schema);
      // The application name picks out exactly this test's connections in pg_stat_activity.
      const applicationName = `herald_cut_${randomBytes(4).toString('hex')}`;
      const database = `${POSTGRES_TEST_URL}?schema=${schema}&application_name=${applicationName}`;
      const receiver = await new Receiver().start();
      receivers.push(receiver);
      receiver.reply('/cut', { status: 200, delayMs: 15 });
      const { base } = await startPair(database);
      await addWebhook(base, receiver, '/cut');
      workerErrors = captureWorkerErrors();

      const tally = new Tally();
      const accepted = new Set<string>();
      const refused = new Set<string>();
      let sequence = 0;
      let running = true;

      const singlePublisher = async () => {
        while (running) {
          const id = `evt_cut_${sequence++}`;
          const answer = await call(base, 'POST', `/v1/tenants/${TENANT}/events`, {
            id,
            event: 'kpi.alert',
            data: { id },
          });
          (tally.check(`publish ${id}`, answer, 202) ? accepted : refused).add(id);
        }
      };
      const batchPublisher = async () => {
        while (running) {
          const ids = Array.from({ length: 25 }, () => `evt_cut_${sequence++}`);
          const answer = await call(base, 'POST', `/v1/tenants/${TENANT}/events/batch`, {
            events: ids.map((id) => ({ id, event: 'kpi.alert', data: { id } })),
          });
          if (tally.check(`batch ${ids[0]}…`, answer, 202)) {
            for (const [index, result] of (answer.body.data as any[]).entries()) {
              assert.equal(result.id, ids[index]);
              accepted.add(result.id);
            }
          } else {
            for (const id of ids) refused.add(id);
          }
        }
      };
      const reader = async () => {
        const webhooks = `/v1/tenants/${TENANT}/webhooks`;
        while (running) {
          const listed = await call(base, 'GET', webhooks);
          if (tally.check('list webhooks', listed, 200) && listed.body.data[0]) {
            const history = `${webhooks}/${listed.body.data[0].id}/deliveries?limit=20`;
            tally.check('delivery history', await call(base, 'GET', history), 200);
          }
          tally.check('dead letters', await call(base, 'GET', `/v1/tenants/${TENANT}/dlq`), 200);
          tally.check('tenants', await call(base, 'GET', '/v1/tenants'), 200);
        }
      };

      let terminated = 0;
      let cuts = 0;
      const saboteur = async () => {
        while (running) {
          await sleep(150 + Math.floor(Math.random() * 200));
          const { rows } = await adminQuery<{ n: number }>(
            'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
            [applicationName],
          );
          terminated += rows[0]?.n ?? 0;
          cuts += 1;
        }
      };

      const stop = sleep(6_000).then(() => {
        running = false;
      });
      try {
        await Promise.all([
          singlePublisher(),
          singlePublisher(),
          singlePublisher(),
          batchPublisher(),
          reader(),
          saboteur(),
          stop,
        ]);
      } finally {
        running = false; // a failed check stops every loop
      }

      // A client retries what was refused, with the same ids: idempotent, so nothing is doubled. A
      // pooled connection killed by the last cut may still cost one more 503 before it is replaced.
      const retried = new Tally();
      for (const id of refused) {
        await eventually(
          async () => {
            const answer = await call(base, 'POST', `/v1/tenants/${TENANT}/events`, {
              id,
              event: 'kpi.alert',
              data: { id },
            });
            return retried.check(`retry ${id}`, answer, 202) || undefined;
          },
          `a retry of ${id} to be accepted`,
          WAIT_MS,
        );
        accepted.add(id);
      }
      await waitDelivered(receiver, '/cut', accepted);
      const delivered = deliveredIds(receiver, '/cut');
      const requests = receiver.at('/cut').length;

      t.diagnostic(
        `${cuts} rounds of pg_terminate_backend ended ${terminated} connections; answers: ${tally}; ` +
          `${accepted.size} events accepted (${refused.size} after a retry; retries answered ${retried}), ${requests} requests for ` +
          `${delivered.size} events at the receiver; ${workerErrors.count()} worker error lines, all "database unreachable"`,
      );
      assert.ok(cuts >= 5 && terminated >= 10, `connections were cut (${terminated} in ${cuts} rounds)`);
      assert.ok(tally.count(202) > 0, 'publishing went on between the cuts');
      assert.deepEqual(workerErrors.unexpected(), [], 'worker errors were only "database unavailable"');
      const events = await adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.events`);
      assert.equal(events.rows[0]?.n, delivered.size, 'every stored event was delivered');
      assert.equal(await assertAllSucceeded(schema), delivered.size, 'one settled delivery per event');

      // Still alive and well: liveness, and one more round trip through API and workers.
      assert.equal((await request(`${base}/healthz`)).statusCode, 200);
      const last = await call(base, 'POST', `/v1/tenants/${TENANT}/events`, { event: 'kpi.alert', data: {} });
      assert.equal(last.status, 202);
      await waitDelivered(receiver, '/cut', [last.body.id]);
    });

    it('survives a longer outage through a closed proxy: 503 while down, workers back off, nothing lost', async (t) => {
      const { schema, proxy, database, receiver } = await behindProxy('/slow');
      const { base } = await startPair(database, { deliveryTimeoutMs: SLOW_TIMEOUT_MS });
      await addWebhook(base, receiver, '/fast');
      await addWebhook(base, receiver, '/slow');
      workerErrors = captureWorkerErrors();

      const publish = (id: string) =>
        call(base, 'POST', `/v1/tenants/${TENANT}/events`, { id, event: 'kpi.alert', data: { id } });
      const accepted: string[] = [];
      for (let i = 0; i < 20; i++) {
        const answer = await publish(`evt_before_${i}`);
        assert.equal(answer.status, 202);
        accepted.push(answer.body.id);
      }
      await waitDelivered(receiver, '/fast', accepted);
      await waitDelivered(receiver, '/slow', accepted);
      await assertAllSucceeded(schema);
      // The slow webhook holds these requests open: they are in flight when the database goes away,
      // so their outcomes cannot be written, and they are sent again once their leases expire.
      const inFlight: string[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await publish(`evt_in_flight_${i}`);
        assert.equal(answer.status, 202);
        inFlight.push(answer.body.id);
      }
      accepted.push(...inFlight);
      await waitDelivered(receiver, '/slow', inFlight);
      const cutAt = Date.now();

      // Down, part 1: refused connections, as from a stopped server.
      await proxy.refuse();
      const tally = new Tally();
      const refusedIds: string[] = [];
      const whileDown = async (ms: number) => {
        const until = Date.now() + ms;
        let n = 0;
        while (Date.now() < until) {
          const id = `evt_down_${refusedIds.length}`;
          const answer = await publish(id);
          assert.equal(
            tally.check(`publish ${id} while down`, answer, 202),
            false,
            'no publish succeeds while down',
          );
          refusedIds.push(id);
          tally.check(
            'list webhooks while down',
            await call(base, 'GET', `/v1/tenants/${TENANT}/webhooks`),
            200,
          );
          assert.equal((await request(`${base}/healthz`)).statusCode, 200, 'liveness holds while down');
          n += 1;
          await sleep(100);
        }
        return n;
      };
      await whileDown(2_000);
      // Down, part 2: connections accepted and reset at once; counting them shows the back-off.
      await proxy.reset();
      const resetPhaseMs = 2_000;
      const apiCalls = (await whileDown(resetPhaseMs)) * 2;
      const attempts = proxy.resets;
      const downMs = Date.now() - cutAt;
      assert.equal(tally.count(200) + tally.count(202), 0, 'nothing succeeded while down');

      // Back up: publishing works again within a few seconds, and the refused ids can be retried.
      await proxy.restore();
      const restoredAt = Date.now();
      const firstOk = await eventually(
        async () => {
          const answer = await publish('evt_after_0');
          return answer.status === 202 ? Date.now() : undefined;
        },
        'publishing to work again',
        WAIT_MS,
      );
      accepted.push('evt_after_0');
      for (const id of refusedIds) {
        const answer = await publish(id);
        assert.equal(answer.status, 202, `retry of ${id}`);
        accepted.push(id);
      }
      for (let i = 1; i < 20; i++) {
        assert.equal((await publish(`evt_after_${i}`)).status, 202);
        accepted.push(`evt_after_${i}`);
      }
      await waitDelivered(receiver, '/fast', accepted);
      const fastResumedAt = Date.now();
      await waitDelivered(receiver, '/slow', accepted);
      // Outcomes lost in the outage are written by the later attempt once the lease has expired.
      const settled = await assertAllSucceeded(schema);
      const sentAgain = (path: string) => {
        const ids = receiver.at(path).map((received) => String(received.headers['webhook-id']));
        return ids.length - new Set(ids).size;
      };
      const resentSlow = sentAgain('/slow');
      const resentFast = sentAgain('/fast');

      t.diagnostic(
        `down ${downMs} ms (refused, then reset): answers ${tally}; ${attempts} connection attempts in ` +
          `${resetPhaseMs} ms of resets while ${apiCalls} API calls were refused; publishing back ` +
          `${firstOk - restoredAt} ms after the restore; all ${accepted.length} events at /fast ${fastResumedAt - restoredAt} ms after it; ` +
          `${resentSlow} of ${inFlight.length} slow deliveries in flight at the cut and ${resentFast} fast ones sent again after their lease (${leaseMs(SLOW_TIMEOUT_MS)} ms); ${settled} deliveries settled; ` +
          `${workerErrors.count()} worker error lines, all "database unreachable"`,
      );
      assert.ok(tally.count(503) >= 10, 'refused with 503 while down');
      const errors = workerErrors;
      assert.deepEqual(errors.unexpected(), [], 'worker errors were only "database unavailable"');
      assert.ok(errors.count() >= 1, 'the outage was logged');
      await eventually(
        () => (errors.recoveries() === errors.count() ? true : undefined),
        'each "database unreachable" line to be followed by "database reachable again"',
      );
      // Back-off, not a hot loop: besides one attempt per refused API call, the workers' claims come
      // about once per poll interval (100 ms) and the LISTEN connection retries with growing delays.
      const workerAttempts = attempts - apiCalls;
      assert.ok(
        workerAttempts <= (resetPhaseMs / 100) * 3 + 20,
        `${workerAttempts} connection attempts by the workers in ${resetPhaseMs} ms`,
      );
      assert.equal(settled, accepted.length * 2, 'one settled delivery per event and webhook');
      // Only what was in flight at the cut can have been sent twice.
      assert.ok(resentSlow <= inFlight.length, `${resentSlow} slow deliveries sent twice`);
      assert.ok(resentFast <= inFlight.length, `${resentFast} fast deliveries sent twice`);
    });
    it('stops a worker cleanly while the database is down: sends in flight finish, queued ones wait', async (t) => {
      const { schema, proxy, database, receiver } = await behindProxy('/queue');
      // One request at a time to the webhook: the rest of what the worker claimed waits in its lane.
      const overrides = { deliveryTimeoutMs: SLOW_TIMEOUT_MS, webhookConcurrency: 1 };
      const api = await startHerald({ config: heraldConfig(database, overrides), workers: false });
      heralds.push(api);
      const base = api.url as string;
      assert.equal((await call(base, 'POST', '/v1/tenants', { id: TENANT })).status, 201);
      await addWebhook(base, receiver, '/queue');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await call(base, 'POST', `/v1/tenants/${TENANT}/events`, {
          event: 'kpi.alert',
          data: { i },
        });
        assert.equal(answer.status, 202);
        ids.push(answer.body.id);
      }
      const worker = await startHerald({
        config: heraldConfig(database, overrides),
        api: false,
        logger: workerLog.logger,
      });
      heralds.push(worker);
      workerErrors = captureWorkerErrors();
      await receiver.waitFor('/queue', 1, WAIT_MS);
      await proxy.refuse();

      // SIGTERM's path: the request in flight is answered, its outcome cannot be written, the queued
      // deliveries cannot be handed back; stop() still completes instead of failing halfway.
      const stopping = Date.now();
      await worker.stop();
      const stoppedIn = Date.now() - stopping;
      assert.equal(receiver.at('/queue').length, 1, 'nothing new was sent after the stop began');
      assert.deepEqual(workerErrors.unexpected(), [], 'worker errors were only "database unavailable"');

      // Back up, a new worker delivers everything: the lost outcome and the queued ones after their lease.
      await proxy.restore();
      const replacement = await startHerald({ config: heraldConfig(database, overrides), api: false });
      heralds.push(replacement);
      await waitDelivered(receiver, '/queue', ids);
      const settled = await assertAllSucceeded(schema);
      assert.equal(settled, ids.length);
      t.diagnostic(
        `stopped in ${stoppedIn} ms with the database down (${workerErrors.count()} worker error lines, all "database unreachable"); ` +
          `${receiver.at('/queue').length} requests for ${ids.length} events once it was back`,
      );
    });
  });
}
