/**
 * Scale-out on PostgreSQL, as an operator runs it: one `herald serve --no-workers` API process and
 * three `herald worker` processes on one schema, thousands of events published, one worker killed
 * with SIGKILL while it holds deliveries. Nothing may be lost, duplicates may only be the deliveries
 * the dead worker held (sent again once their lease expired), and no delivery may be in flight at two
 * workers at once while its lease lives.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { type HeraldRun, runHerald } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import {
  adminQuery,
  dropSchemas,
  POSTGRES_TEST_URL,
  postgresSkipReason,
  uniqueSchemaName,
  waitNothingPending,
} from '../support/postgres.js';
import { TEST_ENCRYPTION_KEY_TEXT } from '../support/secrets.js';

const EVENTS = 3_000;
const BATCH = 1_000;
const WEBHOOKS = ['/hook-a', '/hook-b'];
const WORKERS = 3;
/** Deliveries one worker holds at once: the most the killed worker can leave behind. */
const WORKER_CONCURRENCY = 24;
const DELIVERY_TIMEOUT_MS = 2_000;
/** The dispatcher's lease: 3 × the delivery timeout + 5 s (src/delivery/lease.ts). */
const LEASE_MS = DELIVERY_TIMEOUT_MS * 3 + 5_000;
/**
 * Between a worker taking its clock reading for a claim and the receiver seeing the request: the
 * claim's round trip and the send's start, on a loaded two-core machine. Generous on purpose.
 */
const CLAIM_TO_RECEIPT_SLACK_MS = 2_000;
/** How late the receiver may read a request that a worker wrote just before it was killed. */
const ON_THE_WIRE_MS = 1_000;
/** Waiting is generous (the machine may be busy with other suites); assertions are exact. */
const WAIT_MS = 120_000;
const ADMIN_KEY = 'multi-process-admin-key-0123456789';
const TENANT = 'tenant_scale';

/** One request as the receiver saw it: from its headers' arrival to the answer (or the socket's end). */
interface Receipt {
  key: string;
  eventId: string;
  path: string;
  start: number;
  end: number | null;
  /** Answered 200 and the answer was handed to the socket. */
  answered: boolean;
  /** The connection went away before the answer: the sender died mid-request. */
  aborted: boolean;
}

/**
 * A real receiver on loopback that answers 200 after a small random delay, so that deliveries are in
 * flight when a worker dies, and records every request's interval per (webhook path, webhook-id).
 */
class IntervalReceiver {
  readonly receipts: Receipt[] = [];
  readonly delivered = new Set<string>();
  private server: Server | null = null;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      const eventId = String(req.headers['webhook-id'] ?? '');
      const receipt: Receipt = {
        key: `${path} ${eventId}`,
        eventId,
        path,
        start: Date.now(),
        end: null,
        answered: false,
        aborted: false,
      };
      this.receipts.push(receipt);
      // A sender that dies mid-request closes its end of the connection; Node's server would still
      // write the answer into the half-closed socket and call it finished, so watch the socket.
      const socket = req.socket;
      const cutOff = () => {
        if (receipt.end !== null) return;
        receipt.end = Date.now();
        receipt.aborted = true;
      };
      socket.once('end', cutOff);
      socket.once('close', cutOff);
      res.on('finish', () => {
        socket.off('end', cutOff);
        socket.off('close', cutOff);
        if (receipt.end !== null) return;
        receipt.end = Date.now();
        receipt.answered = true;
        this.delivered.add(receipt.key);
      });
      res.on('close', cutOff);
      req.resume();
      req.on('end', () => {
        setTimeout(
          () => {
            if (res.destroyed || receipt.aborted) return;
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end('ok');
          },
          5 + Math.floor(Math.random() * 55),
        );
      });
    });
    this.server.keepAliveTimeout = 10_000;
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  inFlight(): number {
    return this.receipts.filter((receipt) => receipt.end === null).length;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}

interface Child extends HeraldRun {
  name: string;
}

function spawnHerald(name: string, args: string[], env: Record<string, string>): Child {
  return { name, ...runHerald(args, env) };
}

function running(child: Child): boolean {
  return child.child.exitCode === null && child.child.signalCode === null;
}

async function stopChild(
  child: Child,
  signal: NodeJS.Signals,
  ms: number,
): Promise<number | null | 'timeout'> {
  if (!running(child)) return child.child.exitCode;
  child.child.kill(signal);
  return Promise.race([
    child.exited,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref()),
  ]);
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await request(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, body: await response.body.json() };
}

const skipReason = postgresSkipReason();

if (skipReason !== null) {
  console.log(`# multi-process PostgreSQL test skipped: ${skipReason}`);
  it('multi-process scale-out on PostgreSQL', { skip: skipReason }, () => undefined);
} else {
  describe('one API and three workers on one PostgreSQL, one worker killed mid-flight', () => {
    const schema = uniqueSchemaName();
    const applicationName = `herald_mp_${schema.slice(-8)}`;
    const database = `${POSTGRES_TEST_URL}?schema=${schema}&application_name=${applicationName}`;
    const children: Child[] = [];
    let receiver: IntervalReceiver;

    before(async () => {
      receiver = await new IntervalReceiver().start();
    });

    after(async () => {
      // Even on failure: no process outlives the test, and the schema goes.
      await Promise.all(children.map((child) => stopChild(child, 'SIGKILL', 5_000)));
      await receiver.close();
      await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        applicationName,
      ]);
      await dropSchemas([schema]);
    });

    it('delivers every event at least once; only the dead worker’s leases are sent twice, after expiry', async (t) => {
      const started = Date.now();
      const env = {
        HERALD_DATABASE: database,
        HERALD_ADMIN_KEY: ADMIN_KEY,
        HERALD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY_TEXT,
        // The test publishes thousands of events a second for one tenant.
        HERALD_TENANT_PUBLISH_RATE: '0',
        HERALD_ALLOW_NETWORKS: '127.0.0.0/8',
        HERALD_LOG_LEVEL: 'warn',
        HERALD_DELIVERY_TIMEOUT: `${DELIVERY_TIMEOUT_MS}ms`,
        HERALD_POLL_INTERVAL: '200ms',
        // A failed attempt (none is expected) comes back quickly and shows up in the final check.
        HERALD_RETRY_SCHEDULE: '500ms,500ms,500ms',
        HERALD_CONCURRENCY: String(WORKER_CONCURRENCY),
        // Not below the worker's total: every claimed delivery is sent at once, never queued in a
        // lane, so a receipt follows its claim closely (the lease check below relies on it).
        HERALD_WEBHOOK_CONCURRENCY: String(WORKER_CONCURRENCY),
      };
      // All four start together: their migrations of the fresh schema take turns (advisory lock).
      const api = spawnHerald('api', ['serve', '--no-workers', '--port', '0', '--host', '127.0.0.1'], env);
      children.push(api);
      const workers = Array.from({ length: WORKERS }, (_, index) =>
        spawnHerald(`worker ${index + 1}`, ['worker'], env),
      );
      children.push(...workers);

      const crashed = () => children.find((child) => !running(child) && child.name !== 'worker 1');
      const describeCrash = (child: Child) =>
        `${child.name} exited (${child.child.exitCode ?? child.child.signalCode}):\n${child.errors()}`;

      const base = await eventually(
        () => {
          const dead = children.find((child) => !running(child));
          if (dead) throw new Error(describeCrash(dead));
          return /listening on (http:\/\/\S+)/.exec(api.output())?.[1];
        },
        'the API process to listen',
        WAIT_MS,
      );
      await eventually(
        () => {
          const dead = children.find((child) => !running(child));
          if (dead) throw new Error(describeCrash(dead));
          return workers.every((worker) => /delivery workers on/.test(worker.output())) || undefined;
        },
        'the worker processes to start',
        WAIT_MS,
      );
      const startedUpAt = Date.now();

      assert.equal((await post(base, '/v1/tenants', { id: TENANT })).status, 201);
      for (const path of WEBHOOKS) {
        const created = await post(base, `/v1/tenants/${TENANT}/webhooks`, { url: receiver.url(path) });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }

      const ids = Array.from({ length: EVENTS }, (_, index) => `evt_mp_${String(index).padStart(5, '0')}`);
      const expected = new Set(ids.flatMap((id) => WEBHOOKS.map((path) => `${path} ${id}`)));

      // Publishing runs while the workers deliver; the kill comes when a third has arrived.
      const publishing = (async () => {
        for (let offset = 0; offset < EVENTS; offset += BATCH) {
          const events = ids
            .slice(offset, offset + BATCH)
            .map((id, index) => ({ id, event: 'kpi.alert', data: { n: offset + index } }));
          const published = await post(base, `/v1/tenants/${TENANT}/events/batch`, { events });
          assert.equal(published.status, 202, JSON.stringify(published.body).slice(0, 500));
          for (const [index, result] of (published.body.data as any[]).entries()) {
            assert.equal(result.id, events[index]?.id, JSON.stringify(result));
            assert.equal(result.deliveries, WEBHOOKS.length);
          }
        }
      })();
      publishing.catch(() => undefined); // awaited below; a failure there fails the test

      const victim = workers[0] as Child;
      const killThreshold = Math.floor(expected.size / 3);
      await eventually(
        () => {
          const dead = crashed() ?? (running(victim) ? undefined : victim);
          if (dead) throw new Error(describeCrash(dead));
          return receiver.delivered.size >= killThreshold || undefined;
        },
        `${killThreshold} deliveries before the kill`,
        WAIT_MS,
      );
      const connections = await adminQuery<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      const inFlightAtKill = receiver.inFlight();
      const deliveredAtKill = receiver.delivered.size;
      victim.child.kill('SIGKILL');
      const killAt = Date.now();
      await victim.exited;

      await publishing;
      await eventually(
        () => {
          const dead = crashed();
          if (dead) throw new Error(describeCrash(dead));
          return receiver.delivered.size >= expected.size || undefined;
        },
        `all ${expected.size} deliveries at the receiver (have ${receiver.delivered.size})`,
        WAIT_MS,
      );
      const allDeliveredAt = Date.now();
      // What the dead worker held stays pending until its lease expires and a live worker sends it again.
      await waitNothingPending(schema, 'no pending delivery left', WAIT_MS);
      const settledAt = Date.now();

      const byKey = new Map<string, Receipt[]>();
      for (const receipt of receiver.receipts) {
        const list = byKey.get(receipt.key) ?? [];
        list.push(receipt);
        byKey.set(receipt.key, list);
      }
      for (const list of byKey.values()) list.sort((a, b) => a.start - b.start);
      const duplicated = [...byKey.values()].filter((list) => list.length > 1);
      const duplicates = duplicated.reduce((sum, list) => sum + list.length - 1, 0);
      const cutOff = receiver.receipts.filter((receipt) => receipt.aborted);
      const resendDelays = duplicated.flatMap((list) =>
        list.slice(1).map((resent) => resent.start - (list[0] as Receipt).start),
      );
      const slowest = Math.max(
        ...receiver.receipts.filter((r) => r.answered).map((r) => (r.end as number) - r.start),
      );
      t.diagnostic(
        `${EVENTS} events × ${WEBHOOKS.length} webhooks = ${expected.size} deliveries; start-up ${startedUpAt - started} ms; ` +
          `SIGKILL to worker 1 ${killAt - startedUpAt} ms after start-up, with ${deliveredAtKill} delivered and ` +
          `${inFlightAtKill} requests in flight (${cutOff.length} cut off by the kill); ` +
          `${duplicates} duplicates (bound ${WORKER_CONCURRENCY}), sent again ` +
          `${resendDelays.length ? `${Math.min(...resendDelays)}–${Math.max(...resendDelays)} ms` : '-'} after the first copy ` +
          `(lease ${LEASE_MS} ms); every event delivered ${allDeliveredAt - killAt} ms and all settled ` +
          `${settledAt - killAt} ms after the kill; ` +
          `${receiver.receipts.length} requests, slowest answer ${slowest} ms; ` +
          `${connections.rows[0]?.n} PostgreSQL connections open just before the kill; total ${Date.now() - started} ms`,
      );

      // 1. Nothing lost: every (webhook, event) answered 200 at least once, nothing unexpected arrived.
      const missing = [...expected].filter((key) => !receiver.delivered.has(key));
      assert.deepEqual(missing, [], 'every published event reached every webhook');
      const unexpected = receiver.receipts.filter((receipt) => !expected.has(receipt.key));
      assert.deepEqual(unexpected, [], 'only published events arrived');

      // 2. Duplicates: only deliveries the killed worker held, sent again only after their lease expired.
      assert.ok(
        duplicates <= WORKER_CONCURRENCY,
        `${duplicates} duplicates, but the killed worker held at most ${WORKER_CONCURRENCY} deliveries`,
      );
      for (const receipt of cutOff) {
        // Only the kill cuts requests off (a live worker's timeout would too, and fail the attempt).
        // The receiver may read a request the victim wrote just before dying a moment after the kill.
        assert.ok(
          receipt.start <= killAt + ON_THE_WIRE_MS,
          `${receipt.key} cut off, but sent after the kill`,
        );
        assert.ok((receipt.end as number) >= killAt, `${receipt.key} cut off before the kill`);
        assert.ok(
          byKey.get(receipt.key)?.some((other) => other.answered),
          `${receipt.key} delivered later`,
        );
      }
      for (const list of duplicated) {
        const [first, ...again] = list as [Receipt, ...Receipt[]];
        // The first copy came from the killed worker, so it was sent before the kill (the receiver
        // may read bytes already on the wire a moment after it).
        assert.ok(first.start <= killAt + ON_THE_WIRE_MS, `${first.key} was first sent before the kill`);
        for (const resent of again) {
          assert.ok(resent.start >= killAt, `${resent.key} was sent again only after the kill`);
          // The lease dates from the claim, just before the first send: no second send before it ends.
          assert.ok(
            resent.start - first.start >= LEASE_MS - CLAIM_TO_RECEIPT_SLACK_MS,
            `${resent.key} sent again ${resent.start - first.start} ms after its first copy, inside the ${LEASE_MS} ms lease`,
          );
        }
      }
      // Never in flight at two workers at once: for every (webhook, event), two requests may overlap
      // in time only if one of them started before the kill, that is, came from the dead worker.
      for (const list of byKey.values()) {
        for (let i = 0; i < list.length; i++) {
          for (let j = i + 1; j < list.length; j++) {
            const a = list[i] as Receipt;
            const b = list[j] as Receipt;
            if (b.start >= (a.end ?? Number.POSITIVE_INFINITY)) continue;
            assert.ok(
              a.start <= killAt + ON_THE_WIRE_MS,
              `${a.key} was in flight twice at once after the kill`,
            );
          }
        }
      }

      // 3. The database agrees: one row per (event, webhook), all succeeded, no lease left, no dead letter.
      const statuses = await adminQuery<{ status: string; rows: number; leased: number }>(
        `SELECT status, count(*)::int AS rows, count(lease)::int AS leased FROM ${schema}.deliveries GROUP BY status`,
      );
      assert.deepEqual(statuses.rows, [{ status: 'succeeded', rows: expected.size, leased: 0 }]);
      const letters = await adminQuery<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.dead_letters`,
      );
      assert.equal(letters.rows[0]?.n, 0);

      // 4. The survivors shut down cleanly on SIGTERM.
      for (const child of [api, ...workers.slice(1)]) {
        assert.equal(
          await stopChild(child, 'SIGTERM', 30_000),
          0,
          `${child.name} exits 0:\n${child.errors()}`,
        );
      }
    });
  });
}
