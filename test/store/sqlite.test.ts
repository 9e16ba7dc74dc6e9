import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_EVENT_TYPES } from '../../src/core/event-catalog.js';
import { buildEvent } from '../../src/core/payload.js';
import type { ClaimedDelivery, NewEvent } from '../../src/core/types.js';
import { eventTypesAddedBy } from '../../src/store/event-types-by-version.js';
import { oldHoursOfAttempts, pruneHoursOfAttemptsSql } from '../../src/store/retention.js';
import { SqliteConnection } from '../../src/store/sqlite/connection.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { DeliveryTaker } from '../../src/store/store.js';
import { eventually } from '../support/eventually.js';
import { testSecretBox } from '../support/secrets.js';
import { runSteadyLoad } from '../support/steady-load.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('sqlite', {
  async open() {
    // The contract counts a fan-out's steps by size; a step also stops for time on a slow machine.
    const store = openSqliteStore(':memory:', {
      secrets: testSecretBox(),
      fanoutStepMs: Number.POSITIVE_INFINITY,
    });
    await store.migrate();
    return store;
  },
  async cleanup() {},
});

describe('SQLite: a fan-out step stops for time, and the next goes on from there', () => {
  const TENANT = 'tenant_wide';
  const now = Date.UTC(2026, 0, 1);

  it('creates every delivery once, a step at a time, and names the tenant it queued for', async () => {
    // No time at all: each step creates one delivery, then stops.
    const store = openSqliteStore(':memory:', { secrets: testSecretBox(), fanoutStepMs: 0 });
    await store.migrate();
    await store.createTenant({ id: TENANT, name: TENANT, createdAt: now });
    for (let i = 0; i < 120; i++) {
      await store.createWebhook({
        id: `wh_${String(i).padStart(3, '0')}`,
        tenantId: TENANT,
        url: `https://hooks.example.com/${i}`,
        description: '',
        events: [],
        status: 'active',
        secret: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    const [published] = await store.publishEvents(
      [buildEvent({ id: 'evt_wide', tenantId: TENANT, event: 'kpi.alert', data: {}, now })],
      now,
    );
    assert.equal(published?.deliveries, 120, 'past the inline fan-out: left to the background');
    const named: (readonly string[] | undefined)[] = [];
    store.onDeliveriesQueued((tenants) => named.push(tenants));

    const steps: (number | null)[] = [];
    for (let step = 0; step <= 120; step++) steps.push(await store.expandFanouts(now));
    assert.deepEqual(steps, [...Array.from({ length: 120 }, () => 1), null]);
    assert.equal(named.length, 120);
    assert.ok(named.every((tenants) => tenants?.length === 1 && tenants[0] === TENANT));
    const claimed = await store.claimDueDeliveries({
      owner: 'worker-a',
      now,
      leaseUntil: now + 60_000,
      limit: 500,
      perWebhookLimit: 10,
    });
    assert.equal(claimed.length, 120);
    assert.equal(new Set(claimed.map((delivery) => delivery.webhookId)).size, 120, 'no webhook twice');
    await store.close();
  });
});

describe('SQLite: publishes hand their deliveries to the local worker', () => {
  const TENANT = 'tenant_handoff';
  let dir: string;
  let store: SqliteStore;
  const now = Date.UTC(2026, 0, 1);

  /** A taker with room for `room` deliveries per webhook, recording what it is given. */
  function taker(room: number) {
    const given: ClaimedDelivery[] = [];
    const taker: DeliveryTaker = {
      owner: 'worker-a',
      leaseMs: 30_000,
      roomFor: () => room - given.length,
      tenantRoomFor: () => room - given.length,
      take: (deliveries) => given.push(...deliveries),
    };
    return { taker, given };
  }

  function event(id: string): NewEvent {
    return buildEvent({ id, tenantId: TENANT, event: 'kpi.alert', data: { id }, now });
  }

  beforeEach(async () => {
    // A file, not :memory:, so publishes also wait for the WAL sync.
    dir = mkdtempSync(join(tmpdir(), 'herald-handoff-'));
    store = openSqliteStore(join(dir, 'herald.db'), { secrets: testSecretBox() });
    await store.migrate();
    await store.createTenant({ id: TENANT, name: TENANT, createdAt: now });
    await store.createWebhook({
      id: 'wh_one',
      tenantId: TENANT,
      url: 'https://hooks.example.com/one',
      description: '',
      events: [],
      status: 'active',
      secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0',
      createdAt: now,
      updatedAt: now,
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leases what the worker has room for in the publish transaction and queues the rest', async () => {
    const { taker: worker, given } = taker(1);
    const queued: number[] = [];
    store.onDeliveriesQueued(() => queued.push(1));
    store.setDeliveryTaker(worker);
    const first = event('evt_first');
    await store.publishEvents([first, event('evt_second')], now);

    assert.equal(given.length, 1);
    const [taken] = given;
    assert.equal(taken?.eventId, 'evt_first');
    assert.equal(taken?.url, 'https://hooks.example.com/one');
    assert.equal(taken?.secret, 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0');
    assert.equal(taken?.attempt, 1);
    assert.equal(taken?.trigger, 'event');
    assert.deepEqual(taken?.payload, first.payload);
    assert.match(taken?.lease ?? '', /^worker-a:/);
    assert.equal(queued.length, 1, 'the delivery with no room is announced for claims');

    const claim = { owner: 'worker-b', limit: 10, perWebhookLimit: 10 };
    const claimed = await store.claimDueDeliveries({ ...claim, now, leaseUntil: now + 60_000 });
    assert.deepEqual(
      claimed.map((delivery) => delivery.eventId),
      ['evt_second'],
      'the handed-over delivery is leased, not claimable',
    );
    // Should the worker die with it, its lease runs out and any worker claims it: nothing is lost.
    const later = now + 30_001;
    const reclaimed = await store.claimDueDeliveries({ ...claim, now: later, leaseUntil: later + 1_000 });
    assert.deepEqual(
      reclaimed.map((delivery) => delivery.id),
      [taken?.id],
    );
  });

  it('with no worker registered, queues every delivery for claims', async () => {
    const { taker: worker, given } = taker(5);
    store.setDeliveryTaker(worker);
    store.setDeliveryTaker(null);
    await store.publishEvents([event('evt_one')], now);
    assert.equal(given.length, 0);
    const claimed = await store.claimDueDeliveries({
      owner: 'worker-b',
      now,
      leaseUntil: now + 1_000,
      limit: 10,
      perWebhookLimit: 10,
    });
    assert.equal(claimed.length, 1);
  });
});

describe('SQLite: the WAL is checkpointed off the thread that serves requests', () => {
  it('turns the writer’s own checkpoints off and has its thread copy the WAL back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-checkpoint-'));
    const path = join(dir, 'herald.db');
    const connection = new SqliteConnection(path);
    try {
      assert.equal(connection.db.pragma('wal_autocheckpoint', { simple: true }), 0);
      connection.db.exec('CREATE TABLE filler (bytes BLOB)');
      const before = statSync(path).size;
      const insert = connection.db.prepare('INSERT INTO filler (bytes) VALUES (randomblob(4096))');
      // 8 MB: past SQLite's own checkpoint threshold (1,000 pages), which it does not apply here.
      for (let batch = 0; batch < 20; batch++)
        connection.transaction(() => {
          for (let row = 0; row < 100; row++) insert.run();
        });
      await eventually(
        () => (statSync(path).size > before + 7_000_000 ? true : undefined),
        'the checkpoint thread to copy the WAL into the database file',
        5_000,
      );
    } finally {
      await connection.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('truncates the WAL file now and then, so a burst does not keep it big', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-checkpoint-'));
    const path = join(dir, 'herald.db');
    const connection = new SqliteConnection(path, { everyMs: 20, truncateEveryMs: 100 });
    try {
      connection.db.exec('CREATE TABLE filler (bytes BLOB)');
      const insert = connection.db.prepare('INSERT INTO filler (bytes) VALUES (randomblob(4096))');
      // One 4 MB transaction: the WAL grows by that much whatever the checkpoints do.
      connection.transaction(() => {
        for (let row = 0; row < 1_000; row++) insert.run();
      });
      assert.ok(statSync(`${path}-wal`).size > 4_000_000);
      await eventually(
        () => (statSync(`${path}-wal`).size === 0 ? true : undefined),
        'the checkpoint thread to truncate the WAL',
        5_000,
      );
      assert.equal(connection.db.prepare('SELECT count(*) FROM filler').pluck().get(), 1_000);
    } finally {
      await connection.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite: the queue numbers are read off the thread that serves requests', () => {
  it('counts 300,000 pending deliveries while this thread keeps running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-stats-'));
    const now = Date.UTC(2026, 0, 1);
    const store = openSqliteStore(join(dir, 'herald.db'), { secrets: testSecretBox() });
    try {
      await store.migrate();
      await store.createTenant({ id: 'tenant_stats', name: 'Stats', createdAt: now });
      await store.createWebhook({
        id: 'wh_stats',
        tenantId: 'tenant_stats',
        url: 'https://hooks.example.com/stats',
        description: '',
        events: [],
        status: 'active',
        secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0',
        createdAt: now,
        updatedAt: now,
      });
      const payload = buildEvent({
        id: 'evt_stats',
        tenantId: 'tenant_stats',
        event: 'kpi.alert',
        data: {},
        now,
      });
      await store.publishEvents([payload], now);
      // A backlog written straight into the file: copies of that delivery, due over the next hour.
      const writer = new Database(join(dir, 'herald.db'));
      writer.pragma('busy_timeout = 5000');
      writer.exec(`
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
        INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
        SELECT tenant_id, webhook_id, event_seq, 2, trigger, 'pending', created_at, ${now} + i
        FROM deliveries, n WHERE deliveries.status = 'pending'`);
      writer.close();

      let longestGapMs = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        longestGapMs = Math.max(longestGapMs, performance.now() - last);
        last = performance.now();
      }, 5);
      const started = performance.now();
      const stats = await store.queueStats(now);
      const readMs = performance.now() - started;
      clearInterval(ticker);
      longestGapMs = Math.max(longestGapMs, performance.now() - last);

      assert.equal(stats.due, 1, 'the published delivery');
      assert.equal(stats.retryScheduled, 300_000);
      assert.ok(
        longestGapMs < Math.max(50, readMs / 2),
        `this thread stood still ${longestGapMs.toFixed(0)} ms of a ${readMs.toFixed(0)} ms read`,
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite: under constant load with retention, the file stops growing', () => {
  const HOUR = 3_600_000;
  const load = {
    tenantId: 'tenant_steady',
    webhookId: 'wh_steady',
    eventsPerHour: 1_000,
    windowHours: 6,
    windows: 5,
  };

  it('reuses the pages pruning frees: the size after window 5 is that after window 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-retention-'));
    const path = join(dir, 'herald.db');
    const store = openSqliteStore(path, { secrets: testSecretBox() });
    try {
      await store.migrate();
      const { sizes, clock } = await runSteadyLoad(store, path, load);
      const [, second = 0, , , fifth = 0] = sizes;
      const growth = (fifth - second) / second;
      assert.ok(
        Math.abs(growth) < 0.05,
        `window 5 vs 2: ${(growth * 100).toFixed(1)}% (${sizes.join(', ')} bytes)`,
      );

      const kept = await store.listDeliveries(load.tenantId, load.webhookId, { limit: 100_000 });
      const oldest = Math.min(...kept.map((d) => d.timestamp));
      assert.ok(
        oldest >= clock.now() - load.windowHours * HOUR - HOUR,
        'nothing older than the window and a sweep',
      );
      assert.ok(
        kept.some((d) => d.eventId.startsWith(`evt_${load.windows * load.windowHours}_`)),
        'the last hour is there',
      );
      assert.ok(
        kept.length >= load.windowHours * load.eventsPerHour &&
          kept.length <= (load.windowHours + 1) * load.eventsPerHour,
        `a window's worth of deliveries: ${kept.length}`,
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite: upgrading to remembered idempotency keys', () => {
  it("keeps the last day's event ids as duplicates, any body, and frees older ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-upgrade-'));
    const path = join(dir, 'herald.db');
    const tenantId = 'tenant_up';
    const now = Date.now();
    const connection = new SqliteConnection(path);
    try {
      // The version before the one that remembers idempotency keys.
      const before = SQLITE_MIGRATIONS.findIndex((migration) =>
        migration.includes('CREATE TABLE idempotency_keys'),
      );
      assert.ok(before > 0);
      for (const migration of SQLITE_MIGRATIONS.slice(0, before)) connection.db.exec(migration);
      connection.db.pragma(`user_version = ${before}`);
      connection.db.exec(`INSERT INTO tenants (id, name, created_at) VALUES ('${tenantId}', 'up', 0)`);
      const insert = connection.db.prepare(
        `INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries) VALUES (?, ?, 'kpi.alert', x'7b7d', ?, 0)`,
      );
      insert.run(tenantId, 'recent', now - 3_600_000);
      insert.run(tenantId, 'old', now - 2 * 86_400_000);
    } finally {
      await connection.close();
    }
    const store = openSqliteStore(path, { secrets: testSecretBox() });
    try {
      await store.migrate();
      const publish = (id: string) =>
        store.publishEvents(
          [
            {
              ...buildEvent({ id, tenantId, event: 'kpi.alert', data: { other: true }, now }),
              bodyHash: 'another body',
            },
          ],
          now,
        );
      const [recent] = await publish('recent');
      assert.deepEqual(
        [recent?.duplicate, recent?.storedBodyHash],
        [true, null],
        'a duplicate whose body is not known',
      );
      const [old] = await publish('old');
      assert.equal(old?.duplicate, false, 'an id older than a day is a new event');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite: upgrading to event types with schemas', () => {
  it("gives the default types their schema and the documentation's order, and keeps added ones after", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-upgrade-'));
    const path = join(dir, 'herald.db');
    const connection = new SqliteConnection(path);
    try {
      // The version before the one that gave event types a schema, its catalogue as that version left it.
      const before = SQLITE_MIGRATIONS.findIndex((migration) =>
        migration.includes('ALTER TABLE event_types ADD COLUMN schema'),
      );
      assert.ok(before > 0);
      const insert = (name: string, description: string) =>
        connection.db
          .prepare('INSERT INTO event_types (name, description) VALUES (?, ?) ON CONFLICT DO NOTHING')
          .run(name, description);
      SQLITE_MIGRATIONS.slice(0, before).forEach((migration, index) => {
        connection.db.exec(migration);
        for (const type of eventTypesAddedBy(index + 1)) insert(type.name, type.description);
      });
      connection.db.pragma(`user_version = ${before}`);
      insert('billing.invoice_paid', 'added by an admin');
      insert('audit.login', 'added by an admin');
    } finally {
      await connection.close();
    }
    const store = openSqliteStore(path, { secrets: testSecretBox() });
    try {
      await store.migrate();
      await store.addEventType({
        name: 'added.after_upgrade',
        description: '',
        schema: null,
        example: null,
        enforceSchema: false,
      });
      const types = await store.listEventTypes();
      assert.deepEqual(
        types.map((type) => type.name),
        [
          ...DEFAULT_EVENT_TYPES.map((type) => type.name),
          'audit.login',
          'billing.invoice_paid',
          'added.after_upgrade',
        ],
      );
      const completed = types.find((type) => type.name === 'ingestion.completed');
      assert.deepEqual(completed?.example, DEFAULT_EVENT_TYPES[0]?.example);
      assert.deepEqual(
        types.find((type) => type.name === 'audit.login'),
        {
          name: 'audit.login',
          description: 'added by an admin',
          schema: null,
          example: null,
          enforceSchema: false,
        },
        "an admin's type gets no schema of Herald's",
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite: upgrading to counted webhook health', () => {
  it('counts the attempts already in the history by webhook and hour', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-upgrade-'));
    const path = join(dir, 'herald.db');
    const hour = Date.UTC(2025, 0, 15, 10, 0, 0);
    const connection = new SqliteConnection(path);
    try {
      const before = SQLITE_MIGRATIONS.findIndex((migration) =>
        migration.includes('CREATE TABLE webhook_stats'),
      );
      assert.ok(before > 0);
      for (const migration of SQLITE_MIGRATIONS.slice(0, before)) connection.db.exec(migration);
      connection.db.pragma(`user_version = ${before}`);
      connection.db.exec(`
        INSERT INTO tenants (id, name, created_at) VALUES ('tenant_up', 'up', 0);
        INSERT INTO webhooks (id, tenant_id, url, description, events, status, created_at, updated_at)
          VALUES ('wh_up', 'tenant_up', 'http://127.0.0.1:9/', '', '[]', 'active', 0, 0);
        INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries)
          VALUES ('tenant_up', 'evt_up', 'kpi.alert', x'7b7d', 0, 1);`);
      const attempt = connection.db.prepare(
        `INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, response_time_ms, created_at, attempted_at)
         VALUES ('tenant_up', 'wh_up', 1, 1, 'event', ?, ?, 0, ?)`,
      );
      attempt.run('succeeded', 10, hour + 5);
      attempt.run('failed', 30, hour + 9);
      attempt.run('failed', 50, hour + 3_600_000);
      attempt.run('pending', null, null);
    } finally {
      await connection.close();
    }
    const store = openSqliteStore(path, { secrets: testSecretBox() });
    try {
      await store.migrate();
      assert.deepEqual(await store.webhookAttemptStats('tenant_up', { since: 0 }), [
        {
          webhookId: 'wh_up',
          hours: [
            { hour, succeeded: 1, failed: 1, responseMs: 40 },
            { hour: hour + 3_600_000, succeeded: 0, failed: 1, responseMs: 50 },
          ],
          lastSuccessAt: hour + 5,
          lastFailureAt: hour + 3_600_000,
        },
      ]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite: retention finds old hours of attempt counts by age', () => {
  it("reads webhook_stats_by_hour, not every webhook's hours, for the hours to prune", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-stats-plan-'));
    const connection = new SqliteConnection(join(dir, 'herald.db'));
    try {
      for (const migration of SQLITE_MIGRATIONS) connection.db.exec(migration);
      const plan = connection.db
        .prepare(`EXPLAIN QUERY PLAN ${pruneHoursOfAttemptsSql()}`)
        .all(oldHoursOfAttempts(Date.now(), 1_000)) as { detail: string }[];
      const steps = plan.map((step) => step.detail);
      assert.ok(
        steps.some((step) => step.includes('webhook_stats_by_hour (hour<?)')),
        steps.join(' | '),
      );
      assert.ok(!steps.some((step) => step.startsWith('SCAN')), steps.join(' | '));
    } finally {
      await connection.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
