import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { HeraldError } from '../../src/core/errors.js';
import { DEFAULT_EVENT_TYPES } from '../../src/core/event-catalog.js';
import { publishBodyHash, serializePayload } from '../../src/core/payload.js';
import type { ClaimedDelivery, NewEvent, PublishedEvent } from '../../src/core/types.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { CLAIM } from '../../src/store/postgres/statements.js';
import type { Store } from '../../src/store/store.js';
import {
  adminClient,
  adminQuery,
  PostgresTestDatabase,
  postgresFixture,
  postgresSkipReason,
} from '../support/postgres.js';
import { testSecretBox } from '../support/secrets.js';
import { describeStoreContract } from './store-contract.js';

const T0 = Date.UTC(2025, 0, 15, 10, 30, 0);
const LEASE_MS = 30_000;

function event(tenantId: string, id: string, type = 'kpi.alert'): NewEvent {
  return {
    id,
    tenantId,
    event: type,
    payload: serializePayload(type, T0, tenantId, { n: id }),
    timestamp: T0,
    bodyHash: publishBodyHash(type, { n: id }),
  };
}

async function seed(store: Store, tenantId = 'tenant_a', webhookIds = ['wh_1']): Promise<void> {
  await store.createTenant({ id: tenantId, name: tenantId, createdAt: T0 });
  await addWebhooks(store, tenantId, webhookIds);
}

/** Claims for worker `w` what is due at T0: up to `limit`, and up to `limit` of one webhook. */
function claimDue(store: Store, limit: number): Promise<ClaimedDelivery[]> {
  return store.claimDueDeliveries({
    owner: 'w',
    now: T0,
    leaseUntil: T0 + LEASE_MS,
    limit,
    perWebhookLimit: limit,
  });
}

async function addWebhooks(store: Store, tenantId: string, webhookIds: string[]): Promise<void> {
  for (const id of webhookIds) {
    await store.createWebhook({
      id,
      tenantId,
      url: `http://127.0.0.1:9/${id}`,
      description: '',
      events: [],
      status: 'active',
      secret: null,
      createdAt: T0,
      updatedAt: T0,
    });
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Subplan Name'?: string;
  'Actual Rows': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/**
 * Counts wake-ups, with the tenants each named, and lets a test await the next one, failing after
 * `ms` instead of hanging.
 */
function wakeCounter(store: Store): {
  count: () => number;
  named: (readonly string[] | undefined)[];
  next: (ms?: number) => Promise<void>;
  stop: () => void;
} {
  let calls = 0;
  const named: (readonly string[] | undefined)[] = [];
  let waiters: (() => void)[] = [];
  const stop = store.onDeliveriesQueued((tenants) => {
    calls += 1;
    named.push(tenants);
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  });
  return {
    count: () => calls,
    named,
    next: (ms = 5_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no wake-up within ${ms} ms`)), ms);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    stop,
  };
}

/** Every call either works or says the database is unavailable; nothing else is acceptable. */
async function okOrUnavailable<T>(call: Promise<T>): Promise<'ok' | 'unavailable'> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    assert.ok(
      error instanceof HeraldError && error.code === 'SERVICE_UNAVAILABLE' && error.status === 503,
      `expected SERVICE_UNAVAILABLE, got ${String(error)}`,
    );
    return 'unavailable';
  }
}

async function terminateConnections(applicationName: string): Promise<number> {
  const { rows } = await adminQuery<{ terminated: number }>(
    'SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  );
  return rows[0]?.terminated ?? 0;
}

async function lockWaiters(applicationName: string): Promise<number> {
  const { rows } = await adminQuery<{ waiting: number }>(
    "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
    [applicationName],
  );
  return rows[0]?.waiting ?? 0;
}

/** Polls a condition of the database (no fixed sleeps), giving up after `ms`. */
async function waitFor(condition: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const skipReason = postgresSkipReason();

if (skipReason !== null) {
  console.log(`# PostgreSQL store tests skipped: ${skipReason}`);
  it('PostgreSQL store', { skip: skipReason }, () => undefined);
} else {
  describeStoreContract('postgres', postgresFixture());

  describe('PostgresStore on a shared database', () => {
    const database = new PostgresTestDatabase();
    after(() => database.cleanup());

    it('migrates a fresh schema from four stores at once, applying each version once', async () => {
      const schema = database.newSchema();
      const stores = Array.from({ length: 4 }, () => database.store(schema, { poolSize: 1 }));
      try {
        await Promise.all(stores.map((store) => store.migrate()));
        const versions = await adminQuery<{ version: number }>(
          `SELECT version FROM ${schema}.herald_migrations`,
        );
        assert.deepEqual(
          versions.rows.map((row) => row.version),
          POSTGRES_MIGRATIONS.map((_, index) => index + 1),
        );
        assert.equal((await stores[0]?.listEventTypes())?.length, DEFAULT_EVENT_TYPES.length);
        await stores[1]?.migrate();
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it('never hands one delivery to two claimers while its lease lives (SKIP LOCKED)', async (t) => {
      const schema = database.newSchema();
      const publisher = await database.open(schema);
      const claimers = Array.from({ length: 4 }, () => database.store(schema, { poolSize: 2 }));
      try {
        await seed(publisher, 'tenant_a', ['wh_1', 'wh_2']);
        for (let batch = 0; batch < 4; batch++) {
          await publisher.publishEvents(
            Array.from({ length: 250 }, (_, i) => event('tenant_a', `evt_${batch}_${i}`)),
            T0,
          );
        }
        const started = performance.now();
        const claimedBy = await Promise.all(
          claimers.map(async (store, index) => {
            const mine: ClaimedDelivery[] = [];
            for (;;) {
              const batch = await store.claimDueDeliveries({
                owner: `claimer_${index}`,
                now: T0,
                leaseUntil: T0 + LEASE_MS,
                limit: 25,
                perWebhookLimit: 25,
              });
              if (batch.length === 0) return mine;
              mine.push(...batch);
            }
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const all = claimedBy.flat();
        const ids = new Set(all.map((claimed) => claimed.id));
        assert.equal(all.length, 2_000, 'every due delivery claimed');
        assert.equal(ids.size, 2_000, 'no delivery claimed twice');
        assert.ok(claimedBy.filter((mine) => mine.length > 0).length >= 2, 'the claimers shared the work');
        assert.equal((await publisher.nextDueAt()) ?? 0, T0 + LEASE_MS);
        t.diagnostic(
          `4 claimers took 2000 deliveries in ${seconds.toFixed(3)} s (${Math.round(2000 / seconds)}/s)`,
        );

        const done = await Promise.all(
          claimers.map((store, index) =>
            store.completeDeliveries(
              (claimedBy[index] ?? []).map((claimed) => ({
                deliveryId: claimed.id,
                lease: claimed.lease,
                verdict: 'succeeded' as const,
                statusCode: 200,
                responseTimeMs: 3,
                attemptedAt: T0 + 1,
                error: null,
                responseBody: 'ok',
                requestHeaders: null,
              })),
              T0 + 1,
            ),
          ),
        );
        assert.equal(
          done.reduce((sum, applied) => sum + applied, 0),
          2_000,
        );
        assert.equal(await publisher.nextDueAt(), null);
      } finally {
        await Promise.all([publisher, ...claimers].map((store) => store.close()));
      }
    });

    it('prunes old history from several stores at once without conflicts, each row counted once', async () => {
      const schema = database.newSchema();
      const publisher = await database.open(schema);
      const sweepers = Array.from({ length: 3 }, () => database.store(schema, { poolSize: 2 }));
      try {
        await seed(publisher, 'tenant_a', ['wh_1', 'wh_2']);
        for (let batch = 0; batch < 2; batch++) {
          await publisher.publishEvents(
            Array.from({ length: 500 }, (_, i) => event('tenant_a', `evt_${batch}_${i}`)),
            T0,
          );
        }
        for (let claimed = await claimDue(publisher, 500); claimed.length > 0; ) {
          await publisher.completeDeliveries(
            claimed.map((c) => ({
              deliveryId: c.id,
              lease: c.lease,
              verdict: 'succeeded' as const,
              statusCode: 200,
              responseTimeMs: 3,
              attemptedAt: T0 + 1,
              error: null,
              responseBody: 'ok',
              requestHeaders: null,
            })),
            T0 + 1,
          );
          claimed = await claimDue(publisher, 500);
        }
        const cutoff = T0 + 86_400_000;
        const removedBy = await Promise.all(
          sweepers.map(async (store) => {
            let removed = 0;
            let after = 0;
            for (let progress = await store.pruneHistory(cutoff, after); progress !== null; ) {
              removed += progress.removed;
              after = progress.after;
              progress = await store.pruneHistory(cutoff, after);
            }
            return removed;
          }),
        );
        assert.equal(
          removedBy.reduce((sum, removed) => sum + removed, 0),
          3_000 + 2,
          `1,000 events and 2,000 deliveries, then the two webhooks' hour of attempts, each deleted once: ${removedBy}`,
        );
        const left = await adminQuery<{ events: number; deliveries: number; hours: number }>(
          `SELECT (SELECT count(*) FROM ${schema}.events)::int AS events,
                  (SELECT count(*) FROM ${schema}.deliveries)::int AS deliveries,
                  (SELECT count(*) FROM ${schema}.webhook_stats)::int AS hours`,
        );
        assert.deepEqual(left.rows[0], { events: 0, deliveries: 0, hours: 0 });
      } finally {
        await Promise.all([publisher, ...sweepers].map((store) => store.close()));
      }
    });

    it('commits concurrent publishes of one id from two stores once', async () => {
      const schema = database.newSchema();
      const first = await database.open(schema);
      const second = database.store(schema);
      try {
        await seed(first);
        const results = (
          await Promise.all(
            [first, second, first, second].map((store) =>
              store.publishEvents([event('tenant_a', 'order-7')], T0),
            ),
          )
        ).flat();
        assert.equal(results.filter((result) => !result.duplicate).length, 1);
        for (const result of results) {
          assert.deepEqual(
            { ...result, duplicate: false, storedBodyHash: undefined } satisfies PublishedEvent,
            {
              id: 'order-7',
              event: 'kpi.alert',
              timestamp: T0,
              deliveries: 1,
              duplicate: false,
              storedBodyHash: undefined,
            },
          );
        }
        const claimed = await claimDue(first, 10);
        assert.equal(claimed.length, 1);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

    it('wakes a listener on another store instance of the same schema, and not of another schema', async () => {
      const schema = database.newSchema();
      const listening = await database.open(schema);
      const publishing = database.store(schema);
      const elsewhere = await database.open();
      try {
        await seed(listening);
        await seed(elsewhere);
        const wakes = wakeCounter(listening);
        // The first wake-up says the LISTEN connection is up (it wakes once on every connect).
        await wakes.next();
        const before = wakes.count();
        await elsewhere.publishEvents([event('tenant_a', 'evt_elsewhere')], T0);
        const woken = wakes.next();
        await publishing.publishEvents([event('tenant_a', 'evt_here')], T0);
        await woken;
        // Notifications arrive in commit order: one from the other schema would have come first.
        assert.equal(wakes.count(), before + 1);
        assert.equal(wakes.named[0], undefined, 'the wake on connecting names no tenant');
        assert.deepEqual(wakes.named.at(-1), ['tenant_a'], 'a publish names the tenants it queued for');
        wakes.stop();
      } finally {
        await Promise.all([listening.close(), publishing.close(), elsewhere.close()]);
      }
    });

    it('answers SERVICE_UNAVAILABLE while its connections are killed, never crashes, and recovers', async (t) => {
      const applicationName = `herald_test_${randomBytes(4).toString('hex')}`;
      const schema = database.newSchema();
      const store = await database.open(schema, { applicationName, poolSize: 4 });
      const other = database.store(schema);
      try {
        await seed(store);
        const wakes = wakeCounter(store);
        await wakes.next();
        // Fill the pool, so that idle pooled connections die too, not only the listener.
        await Promise.all(Array.from({ length: 8 }, () => store.getTenant('tenant_a')));

        assert.ok((await terminateConnections(applicationName)) >= 2, 'pool and listener connections killed');
        const afterIdleKill: string[] = [];
        for (let i = 0; i < 8; i++) afterIdleKill.push(await okOrUnavailable(store.getTenant('tenant_a')));
        assert.equal(afterIdleKill.at(-1), 'ok', `recovered: ${afterIdleKill.join(', ')}`);
        t.diagnostic(`calls after killing idle connections: ${afterIdleKill.join(', ')}`);
        await store.publishEvents([event('tenant_a', 'evt_before')], T0);

        // Killed mid-statement: an admin transaction locks the queue so the store's writes wait on it.
        const [delivery] = await store.listDeliveries('tenant_a', 'wh_1', { limit: 1 });
        const admin = await adminClient();
        try {
          await admin.query('BEGIN');
          await admin.query(`LOCK TABLE ${schema}.deliveries IN EXCLUSIVE MODE`);
          const inFlight = [
            okOrUnavailable(store.publishEvents([event('tenant_a', 'evt_blocked')], T0)),
            okOrUnavailable(claimDue(store, 10)),
            okOrUnavailable(store.resendDelivery('tenant_a', delivery?.id ?? 'dlv_1', T0)),
          ];
          await waitFor(async () => (await lockWaiters(applicationName)) === inFlight.length);
          await terminateConnections(applicationName);
          assert.deepEqual(await Promise.all(inFlight), ['unavailable', 'unavailable', 'unavailable']);
        } finally {
          await admin.query('ROLLBACK');
          await admin.end();
        }
        assert.equal(
          (await store.listDeliveries('tenant_a', 'wh_1', { limit: 100 })).length,
          1,
          'nothing half-written by the killed statements',
        );

        let recovered = false;
        for (let i = 0; i < 8 && !recovered; i++) {
          recovered =
            (await okOrUnavailable(store.publishEvents([event('tenant_a', `evt_after_${i}`)], T0))) === 'ok';
        }
        assert.ok(recovered, 'publishing works again');
        for (let i = 0; i < 5; i++) assert.ok(await store.getTenant('tenant_a'));

        // The listener reconnected by itself: work queued by another instance wakes this one again.
        const woken = wakes.next();
        await other.publishEvents([event('tenant_a', 'evt_from_other')], T0);
        await woken;
        wakes.stop();
      } finally {
        await Promise.all([store.close(), other.close()]);
      }
    });

    it('answers SERVICE_UNAVAILABLE when nothing listens at the address', async () => {
      const store = openPostgresStore('postgres://postgres@127.0.0.1:1/test', { secrets: testSecretBox() });
      await assert.rejects(
        store.getTenant('tenant_a'),
        (error: unknown) => error instanceof HeraldError && error.code === 'SERVICE_UNAVAILABLE',
      );
      await assert.rejects(
        store.migrate(),
        (error: unknown) => error instanceof HeraldError && error.code === 'SERVICE_UNAVAILABLE',
      );
      await store.close();
    });

    it('keeps NUL characters out of text columns', async () => {
      const store = await database.open();
      try {
        await seed(store);
        await assert.rejects(
          store.createTenant({ id: 'tenant_nul', name: 'a\u0000b', createdAt: T0 }),
          (error: unknown) => error instanceof HeraldError && error.code === 'INVALID_REQUEST',
        );
        await store.publishEvents([event('tenant_a', 'evt_1')], T0);
        const [claimed] = await claimDue(store, 1);
        assert.ok(claimed);
        const applied = await store.completeDeliveries(
          [
            {
              deliveryId: claimed.id,
              lease: claimed.lease,
              verdict: 'succeeded',
              statusCode: 200,
              responseTimeMs: 2.6,
              attemptedAt: T0 + 1,
              error: null,
              responseBody: 'binary\u0000body',
              requestHeaders: null,
            },
          ],
          T0 + 1,
        );
        assert.equal(applied, 1);
        const detail = await store.getDelivery('tenant_a', claimed.id);
        assert.equal(detail?.responseBody, 'binary\uFFFDbody');
        assert.equal(detail?.responseTimeMs, 3);
      } finally {
        await store.close();
      }
    });

    it("claims through the per-webhook index beside one webhook's large backlog, with a generic or a custom plan", async () => {
      const schema = database.newSchema();
      const store = await database.open(schema);
      const client = await adminClient();
      try {
        await seed(store, 'tenant_a', ['wh_backlog']);
        for (let batch = 0; batch < 20; batch++) {
          await store.publishEvents(
            Array.from({ length: 1_000 }, (_, i) => event('tenant_a', `backlog_${batch}_${i}`)),
            T0,
          );
        }
        await addWebhooks(
          store,
          'tenant_a',
          Array.from({ length: 10 }, (_, i) => `wh_${i}`),
        );
        await store.publishEvents(
          Array.from({ length: 5 }, (_, i) => event('tenant_a', `fresh_${i}`)),
          T0,
        );
        // With statistics the planner knows nearly every queued row is one webhook's: the shape
        // that once made it scan the whole queue to find the other webhooks' rows.
        await client.query(`ANALYZE ${schema}.deliveries, ${schema}.webhooks, ${schema}.events`);
        await client.query(`SET search_path = ${schema}`);
        for (const mode of ['force_generic_plan', 'force_custom_plan']) {
          await client.query('BEGIN');
          try {
            await client.query(`SET LOCAL plan_cache_mode = ${mode}`);
            await client.query(`PREPARE claim_${mode} AS ${CLAIM.text}`);
            const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
              `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
               EXECUTE claim_${mode}(${T0}, '{}', 64, 'lease', ${T0 + LEASE_MS}, 8, '', '{}', '{}', '{}', 2147483647)`,
            );
            const plan = rows[0]?.['QUERY PLAN'][0].Plan as PlanNode;
            assert.equal(
              plan['Actual Rows'],
              8 + 10 * 5,
              `${mode}: a share of the backlog and all of the rest`,
            );
            const nodes = planNodes(plan);
            assert.deepEqual(
              nodes.filter(
                (node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'deliveries',
              ),
              [],
              `${mode}: no sequential scan of the queue`,
            );
            const lookup = nodes.find((node) => node['Subplan Name'] === 'CTE picked') as PlanNode;
            const buffers = lookup['Shared Hit Blocks'] + lookup['Shared Read Blocks'];
            // A few index and heap pages per webhook; walking the queue (21,050 rows) reads thousands.
            assert.ok(buffers < 500, `${mode}: finding the rows to claim read ${buffers} buffers`);
          } finally {
            await client.query('ROLLBACK');
          }
        }
      } finally {
        await client.end();
        await store.close();
      }
    });

    it('upgrades a populated schema from version 2, keeping queued work and dead letters', async () => {
      const schema = database.newSchema();
      const client = await adminClient();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.query(`SET search_path = ${schema}`);
        await client.query('CREATE TABLE herald_migrations (version integer PRIMARY KEY)');
        for (const [index, migration] of POSTGRES_MIGRATIONS.slice(0, 2).entries()) {
          await client.query(migration);
          await client.query('INSERT INTO herald_migrations (version) VALUES ($1)', [index + 1]);
        }
      } finally {
        await client.end();
      }
      // Filled as version 2 left it: two webhooks, two events, four deliveries of which one was
      // dead-lettered. Written in SQL, since today's statements need today's columns.
      await adminQuery(
        `WITH tenant AS (
           INSERT INTO ${schema}.tenants (id, name, created_at) VALUES ('tenant_a', 'tenant_a', $1)
         ), hooks AS (
           INSERT INTO ${schema}.webhooks (id, tenant_id, url, description, events, status, secret, created_at, updated_at)
           SELECT id, 'tenant_a', 'http://127.0.0.1:9/' || id, '', '{}', 'active', NULL, $1, $1
           FROM unnest(ARRAY['wh_1', 'wh_2']) AS id
         ), stored AS (
           INSERT INTO ${schema}.events (tenant_id, id, event, payload, timestamp, deliveries)
           SELECT 'tenant_a', id, 'kpi.alert', '\\x7b7d', $1, 2 FROM unnest(ARRAY['evt_1', 'evt_2']) AS id
           RETURNING seq
         )
         INSERT INTO ${schema}.deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
         SELECT 'tenant_a', hook, seq, 1, 'event', 'pending', $1, $1 FROM stored, unnest(ARRAY['wh_1', 'wh_2']) AS hook`,
        [T0],
      );
      await adminQuery(
        `WITH failed AS (
           UPDATE ${schema}.deliveries SET status = 'failed', status_code = 500, error = 'HTTP 500',
             attempted_at = $1, next_attempt_at = NULL
           WHERE id = (SELECT min(id) FROM ${schema}.deliveries)
           RETURNING tenant_id, webhook_id, event_seq, attempt
         )
         INSERT INTO ${schema}.dead_letters (tenant_id, webhook_id, event_seq, error, attempts, failed_at)
         SELECT tenant_id, webhook_id, event_seq, 'HTTP 500', attempt, $1 FROM failed`,
        [T0 + 1],
      );

      const store = await database.open(schema);
      try {
        const versions = await adminQuery<{ version: number }>(
          `SELECT version FROM ${schema}.herald_migrations ORDER BY version`,
        );
        assert.deepEqual(
          versions.rows.map((row) => row.version),
          POSTGRES_MIGRATIONS.map((_, index) => index + 1),
        );
        const collations = await adminQuery<{ table_name: string; collation_name: string }>(
          `SELECT table_name, collation_name FROM information_schema.columns
           WHERE table_schema = $1 AND column_name = 'webhook_id' AND table_name IN ('deliveries', 'dead_letters')
           ORDER BY table_name`,
          [schema],
        );
        assert.deepEqual(collations.rows, [
          { table_name: 'dead_letters', collation_name: 'C' },
          { table_name: 'deliveries', collation_name: 'C' },
        ]);
        assert.equal(await store.nextDueAt(), T0);
        const claimed = await claimDue(store, 10);
        assert.equal(claimed.length, 3, 'the three deliveries still queued');
        const letters = await store.listDeadLetters('tenant_a', { limit: 10 });
        assert.deepEqual(
          letters.map((letter) => letter.error),
          ['HTTP 500'],
        );
        const stats = await store.webhookAttemptStats('tenant_a', { since: 0 });
        assert.deepEqual(
          stats.flatMap((entry) =>
            entry.hours.map((hour) => [hour.succeeded, hour.failed, entry.lastFailureAt]),
          ),
          [[0, 1, T0 + 1]],
          'the attempt already made is counted in the health figures',
        );
      } finally {
        await store.close();
      }
    });

    it('rejects a schema name it would have to quote', () => {
      assert.throws(() =>
        openPostgresStore('postgres://postgres@127.0.0.1/test', {
          schema: 'Bad; DROP',
          secrets: testSecretBox(),
        }),
      );
    });
  });
}
