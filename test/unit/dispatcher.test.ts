import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { GONE_REASON } from '../../src/core/outcome.js';
import { buildEvent } from '../../src/core/payload.js';
import { DEFAULT_RETRY_AFTER_CAP_MS, DEFAULT_RETRY_SCHEDULE } from '../../src/core/retry-policy.js';
import type { AttemptResult, ClaimedDelivery, Webhook } from '../../src/core/types.js';
import type { AttemptSender } from '../../src/delivery/attempt-sender.js';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { HealthMonitor } from '../../src/delivery/health-monitor.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { eventually } from '../support/eventually.js';
import { testSecretBox } from '../support/secrets.js';

const TENANT = 'tenant_abc123';

/** A sender the test answers by hand: each call waits until the test settles it. */
class ScriptedSender implements AttemptSender {
  readonly calls: {
    delivery: ClaimedDelivery;
    settled: boolean;
    settle: (result: Partial<AttemptResult>) => void;
  }[] = [];
  inFlight = 0;
  maxInFlight = new Map<string, number>();
  private sending = new Map<string, number>();
  constructor(
    private readonly clock: ManualClock,
    private readonly auto?: (delivery: ClaimedDelivery) => Partial<AttemptResult>,
  ) {}

  send(delivery: ClaimedDelivery): Promise<AttemptResult> {
    this.inFlight += 1;
    const now = (this.sending.get(delivery.webhookId) ?? 0) + 1;
    this.sending.set(delivery.webhookId, now);
    this.maxInFlight.set(delivery.webhookId, Math.max(now, this.maxInFlight.get(delivery.webhookId) ?? 0));
    return new Promise((resolve) => {
      const call = { delivery, settled: false, settle: (_: Partial<AttemptResult>) => undefined };
      call.settle = (result: Partial<AttemptResult>) => {
        if (call.settled) return;
        call.settled = true;
        this.inFlight -= 1;
        this.sending.set(delivery.webhookId, (this.sending.get(delivery.webhookId) ?? 1) - 1);
        resolve({
          statusCode: 200,
          responseTimeMs: 1,
          attemptedAt: this.clock.now(),
          error: null,
          retryAfterMs: null,
          responseBody: null,
          requestHeaders: null,
          ...result,
        });
      };
      this.calls.push(call);
      if (this.auto) call.settle(this.auto(delivery));
    });
  }
}

const FAIL = { statusCode: 500, error: 'HTTP 500' };

describe('Dispatcher', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  const dispatchers: Dispatcher[] = [];

  function dispatcher(sender: AttemptSender, options: Partial<DispatcherOptions> = {}): Dispatcher {
    const created = new Dispatcher({
      queue: store,
      sender,
      clock,
      retryPolicy: { schedule: DEFAULT_RETRY_SCHEDULE, retryAfterCapMs: DEFAULT_RETRY_AFTER_CAP_MS },
      health: new HealthMonitor({ store, clock, disableAfterMs: 5 * 86_400_000 }),
      owner: `worker-${dispatchers.length}`,
      concurrency: 16,
      webhookConcurrency: 4,
      timeoutMs: 10_000,
      pollIntervalMs: 50,
      ...options,
    });
    dispatchers.push(created);
    return created;
  }

  async function addWebhook(id: string): Promise<void> {
    await store.createWebhook({
      id,
      tenantId: TENANT,
      url: `http://127.0.0.1:9/${id}`,
      description: '',
      events: [id === 'wh_slow' ? 'kpi.alert' : 'kpi.computed'],
      status: 'active',
      secret: null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
  }

  async function publish(event: 'kpi.alert' | 'kpi.computed', count: number): Promise<void> {
    const events = Array.from({ length: count }, (_, i) =>
      buildEvent({
        id: `${event}-${i}-${clock.now()}`,
        tenantId: TENANT,
        event,
        data: { i },
        now: clock.now(),
      }),
    );
    await store.publishEvents(events, clock.now());
  }

  beforeEach(async () => {
    clock = new ManualClock();
    store = openSqliteStore(':memory:', { secrets: testSecretBox() });
    await store.migrate();
    await store.createTenant({ id: TENANT, name: TENANT, createdAt: clock.now() });
    await addWebhook('wh_slow');
    await addWebhook('wh_fast');
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) {
      await Promise.race([d.stop(), new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    await store.close();
  });

  it('retries after 1, 5 and 15 minutes of the injected clock, then dead-letters', async () => {
    const sender = new ScriptedSender(clock, () => FAIL);
    const worker = dispatcher(sender);
    await publish('kpi.computed', 1);
    const expectAttempts = async (count: number) => {
      await worker.drain();
      assert.equal(
        sender.calls.length,
        count,
        `after ${(clock.now() - Date.UTC(2025, 0, 15, 10, 30)) / 1000}s`,
      );
    };
    await expectAttempts(1);
    clock.advance(59_999);
    await expectAttempts(1);
    clock.advance(1);
    await expectAttempts(2);
    clock.advance(5 * 60_000 - 1);
    await expectAttempts(2);
    clock.advance(1);
    await expectAttempts(3);
    clock.advance(15 * 60_000);
    await expectAttempts(4);
    clock.advance(24 * 3600_000);
    await expectAttempts(4);
    assert.deepEqual(
      sender.calls.map((call) => call.delivery.attempt),
      [1, 2, 3, 4],
    );
    const [letter] = await store.listDeadLetters(TENANT, { limit: 5 });
    assert.equal(letter?.attempts, 4);
    assert.equal(letter?.error, 'HTTP 500');
    assert.equal(await store.nextDueAt(), null);
  });

  it('keeps one slow webhook from holding back the others', async () => {
    // wh_slow answers only when the test says so; wh_fast answers at once.
    const sender = new ScriptedSender(clock, () => ({}));
    const held = new ScriptedSender(clock);
    const routed: AttemptSender = {
      send: (delivery) => (delivery.webhookId === 'wh_slow' ? held.send(delivery) : sender.send(delivery)),
    };
    const worker = dispatcher(routed, { concurrency: 8, webhookConcurrency: 2 });
    await publish('kpi.alert', 20);
    await publish('kpi.computed', 30);
    worker.start();
    await eventually(
      () => (sender.calls.length === 30 ? true : undefined),
      'all 30 fast deliveries while slow ones hang',
    );
    assert.equal(
      held.maxInFlight.get('wh_slow'),
      2,
      'the slow webhook never has more than its share in flight',
    );
    assert.ok((sender.maxInFlight.get('wh_fast') ?? 0) <= 2);
    for (const call of held.calls.splice(0)) call.settle({});
    await eventually(
      () => (held.calls.length > 0 ? true : undefined),
      'the slow webhook to get its next deliveries',
    );
  });

  it('takes deliveries straight from publishes once it has caught up with the store, not before', async () => {
    const held = new ScriptedSender(clock);
    const worker = dispatcher(held, { concurrency: 16, webhookConcurrency: 2 });
    assert.equal(worker.roomFor('wh_fast'), 0, 'a worker that is not running takes nothing');
    worker.start();
    // Its first claim finds the store empty: from then on it has room for a round of requests in
    // flight and a round and a half waiting.
    await eventually(() => (worker.roomFor('wh_fast') > 0 ? true : undefined), 'the first claim to finish');
    assert.equal(worker.roomFor('wh_fast'), 5);

    let claimedByQuery = 0;
    const claim = store.claimDueDeliveries.bind(store);
    store.claimDueDeliveries = async (request) => {
      const claimed = await claim(request);
      claimedByQuery += claimed.length;
      return claimed;
    };
    await publish('kpi.computed', 7);
    assert.equal(held.calls.length, 2, 'two sent at once, three waiting in the lane');
    assert.equal(worker.roomFor('wh_fast'), 0, 'a full lane takes no more');
    worker.wake('work');
    assert.equal(
      worker.roomFor('wh_alpha'),
      0,
      'nothing is taken while announced work may wait in the store',
    );

    for (let settled = 0; settled < 7; settled += 1) {
      const next = await eventually(
        () => held.calls.find((call) => !call.settled),
        'the next delivery in flight',
      );
      next.settle({});
    }
    await eventually(() => (held.calls.length === 7 ? true : undefined), 'all seven sent');
    assert.equal(claimedByQuery, 2, 'the two with no room were claimed from the store');
    assert.deepEqual(
      held.calls.map((call) => call.delivery.attempt),
      [1, 1, 1, 1, 1, 1, 1],
    );
  });

  /** Lets the dispatcher's flush and claim run to the end: in-memory SQLite never waits for I/O. */
  async function settleDown(): Promise<void> {
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  }

  it('refills a lane while part of a round still waits, so its requests never run dry between claims', async () => {
    const held = new ScriptedSender(clock);
    const worker = dispatcher(held, { webhookConcurrency: 4 });
    let claimed = 0;
    const claims: { waiting: number; claimedBefore: number }[] = [];
    const claim = store.claimDueDeliveries.bind(store);
    store.claimDueDeliveries = async (request) => {
      claims.push({ waiting: claimed - held.calls.length, claimedBefore: claimed });
      const batch = await claim(request);
      claimed += batch.length;
      return batch;
    };
    await publish('kpi.computed', 24);
    worker.start();
    while (held.calls.length < 24 || held.calls.some((call) => !call.settled)) {
      await settleDown();
      const settled = held.calls.filter((call) => call.settled).length;
      assert.equal(held.inFlight, Math.min(4, 24 - settled), `in flight after ${settled} answered`);
      held.calls.find((call) => !call.settled)?.settle({});
    }
    // The first claim fills the four requests in flight and the second the room behind them; every
    // later one made while the store still had work came with deliveries waiting behind the four.
    const refills = claims.slice(2).filter((at) => at.claimedBefore < 24);
    assert.ok(refills.length >= 4, `refilled ${refills.length} times`);
    assert.deepEqual(
      refills.filter((at) => at.waiting === 0),
      [],
      'no refill waited for the lane to run dry',
    );
  });

  it('refills a lane while the outcomes of its answered requests are still being written', async () => {
    const held = new ScriptedSender(clock);
    // The poll timer does not fire within the test: the refill must come from the answers.
    const worker = dispatcher(held, { webhookConcurrency: 4, pollIntervalMs: 600_000 });
    // The store takes its time over outcomes (a round trip to PostgreSQL): none is written until the test says.
    let writeOutcomes: () => void = () => undefined;
    const written = new Promise<void>((resolve) => {
      writeOutcomes = resolve;
    });
    const complete = store.completeDeliveries.bind(store);
    store.completeDeliveries = async (outcomes, now) => {
      await written;
      return complete(outcomes, now);
    };
    await publish('kpi.computed', 12);
    worker.start();
    await eventually(() => (held.calls.length === 4 ? true : undefined), 'four in flight');
    for (const call of held.calls.slice(0, 4)) {
      call.settle({});
      await settleDown();
    }
    await eventually(
      () => (held.calls.length > 4 ? true : undefined),
      'the lane refilled with no outcome written yet',
    );
    writeOutcomes();
    while (held.calls.length < 12 || held.calls.some((call) => !call.settled)) {
      held.calls.find((call) => !call.settled)?.settle({});
      await settleDown();
    }
    await worker.idle();
    const rows = await store.listDeliveries(TENANT, 'wh_fast', { limit: 50 });
    assert.equal(rows.filter((row) => row.status === 'succeeded').length, 12);
    assert.equal(new Set(held.calls.map((call) => call.delivery.eventId)).size, 12, 'each event sent once');
  });

  it('claims nothing for a lane cut back after a timeout until it can send again, so nothing claimed goes back', async () => {
    const held = new ScriptedSender(clock);
    const worker = dispatcher(held, { webhookConcurrency: 4 });
    let released = 0;
    const release = store.releaseDeliveries.bind(store);
    store.releaseDeliveries = async (leases, now) => {
      released += leases.length;
      return release(leases, now);
    };
    await publish('kpi.computed', 12);
    worker.start();
    await eventually(() => (held.calls.length === 4 ? true : undefined), 'four in flight');
    // The timeout cuts the lane to one request while three are still in flight.
    held.calls[0]?.settle({ statusCode: null, error: 'timed out after 10s' });
    await settleDown();
    assert.equal(held.calls.length, 4, 'nothing new starts while the lane is over its limit');
    while (held.calls.length < 12 || held.calls.some((call) => !call.settled)) {
      held.calls.find((call) => !call.settled)?.settle({});
      await settleDown();
    }
    assert.equal(released, 0);
  });

  it('gives back what waits in a lane beyond its share once a timeout cuts it back, so nothing outlives its lease there', async () => {
    const held = new ScriptedSender(clock);
    const worker = dispatcher(held, { webhookConcurrency: 4 });
    const released: string[] = [];
    const release = store.releaseDeliveries.bind(store);
    store.releaseDeliveries = async (leases, now) => {
      released.push(...leases.map((lease) => lease.deliveryId));
      return release(leases, now);
    };
    await publish('kpi.computed', 12);
    worker.start();
    await eventually(() => (held.calls.length === 4 ? true : undefined), 'four in flight');
    // An answer makes room: the refill brings a full share, three of which wait.
    held.calls[0]?.settle({});
    await eventually(() => (held.calls.length === 5 ? true : undefined), 'the fifth sent, three waiting');
    await settleDown();
    assert.deepEqual(released, []);
    // A timeout cuts the lane to one request, each of which may take the whole timeout: three
    // waiting would take three timeouts more, past their lease (3 × timeout + 5 s) for the last.
    held.calls[1]?.settle({ statusCode: null, error: 'timed out after 10s' });
    await eventually(() => (released.length > 0 ? true : undefined), 'the excess given back');
    assert.equal(released.length, 2, 'one stays waiting, as a lane of one keeps');
    const rows = await store.listDeliveries(TENANT, 'wh_fast', { limit: 50 });
    for (const id of released) {
      const row = rows.find((candidate) => candidate.id === id);
      assert.equal(row?.status, 'pending');
      assert.equal(row?.nextAttemptAt, clock.now(), 'due at once, for whoever can send it');
    }
    // Given back, they are claimed again and sent once the lane can take them; the timed-out one is
    // retried a minute later. Each event succeeds once.
    for (let turn = 0; turn < 200 && (held.calls.length < 12 || held.calls.some((c) => !c.settled)); turn++) {
      held.calls.find((call) => !call.settled)?.settle({});
      await settleDown();
    }
    clock.advance(61_000);
    const retry = await eventually(() => held.calls[12], 'the timed-out event retried');
    retry.settle({});
    await worker.idle();
    const after = await store.listDeliveries(TENANT, 'wh_fast', { limit: 50 });
    const succeeded = after.filter((row) => row.status === 'succeeded').map((row) => row.eventId);
    assert.equal(succeeded.length, 12);
    assert.equal(new Set(succeeded).size, 12, 'no event delivered twice');
  });

  it('claims work that came due unannounced when a busy lane next wants more, not on the poll timer', async () => {
    const held = new ScriptedSender(clock);
    // Leases outlast the minute the clock moves; the poll timer does not fire within the test.
    const worker = dispatcher(held, { webhookConcurrency: 4, pollIntervalMs: 600_000, timeoutMs: 60_000 });
    await publish('kpi.computed', 5);
    worker.start();
    await eventually(() => (held.calls.length === 4 ? true : undefined), 'four in flight');
    // A failure queues its retry a minute out; the claim after it finds only the fifth event.
    held.calls[0]?.settle(FAIL);
    await eventually(() => (held.calls.length === 5 ? true : undefined), 'the fifth event sent');
    await settleDown();
    clock.advance(61_000);
    held.calls[1]?.settle({});
    const retry = await eventually(
      () => held.calls.find((call) => call.delivery.attempt === 2),
      'the retry claimed without waiting for the poll timer',
    );
    assert.equal(retry.delivery.eventId, held.calls[0]?.delivery.eventId);
  });

  it('looks at the due times in the store only when its timer fires, not after each batch', async () => {
    let tidied = 0;
    const counted = new Proxy(store, {
      get(target, property) {
        if (property === 'tidyQueue') {
          return (now: number) => {
            tidied += 1;
            return target.tidyQueue(now);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const sender = new ScriptedSender(clock, () => ({}));
    const worker = dispatcher(sender, { queue: counted, pollIntervalMs: 600_000 });
    worker.start();
    for (let batch = 1; batch <= 5; batch++) {
      await publish('kpi.computed', 3);
      await eventually(() => (sender.calls.length === 3 * batch ? true : undefined), `batch ${batch} sent`);
      await settleDown();
    }
    assert.equal(tidied, 1, 'the aim at start only');
  });

  it('brings its timer forward for a retry it schedules, sooner than the poll interval', async () => {
    const sender = new ScriptedSender(clock, (delivery) => (delivery.attempt === 1 ? FAIL : {}));
    const worker = dispatcher(sender, {
      pollIntervalMs: 600_000,
      retryPolicy: { schedule: [200], retryAfterCapMs: DEFAULT_RETRY_AFTER_CAP_MS },
    });
    worker.start();
    await publish('kpi.computed', 1);
    await eventually(
      async () => ((await store.nextDueAt()) === clock.now() + 200 ? true : undefined),
      'the retry queued',
    );
    clock.advance(200);
    const retry = await eventually(
      () => sender.calls.find((call) => call.delivery.attempt === 2),
      'the retry sent without waiting for the poll interval',
      5_000,
    );
    assert.equal(retry.delivery.eventId, sender.calls[0]?.delivery.eventId);
  });

  it('bounds what one worker holds in total, and keeps a reserve that no one tenant can take', async () => {
    await addWebhook('wh_more');
    await addWebhook('wh_third');
    await addWebhook('wh_fourth');
    await store.createTenant({ id: 'tenant_late', name: 'late', createdAt: clock.now() });
    await store.createWebhook({
      id: 'wh_late',
      tenantId: 'tenant_late',
      url: 'http://127.0.0.1:9/late',
      description: '',
      events: [],
      status: 'active',
      secret: null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    const held = new ScriptedSender(clock);
    // Four webhooks with two slots each could take eight; the worker holds six, and keeps one
    // webhook's share (two) free of any one tenant once it holds its guaranteed share.
    const worker = dispatcher(held, { concurrency: 6, webhookConcurrency: 2 });
    await publish('kpi.computed', 40);
    worker.start();
    await eventually(() => (held.calls.length === 4 ? true : undefined), 'four deliveries in flight');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(held.calls.length, 4, 'two slots stay free of the busy tenant');
    const late = ['evt_late_1', 'evt_late_2'].map((id) =>
      buildEvent({ id, tenantId: 'tenant_late', event: 'kpi.alert', data: {}, now: clock.now() }),
    );
    await store.publishEvents(late, clock.now());
    await eventually(
      () =>
        held.calls.filter((call) => call.delivery.tenantId === 'tenant_late').length === 2 ? true : undefined,
      'the other tenant served at once, from the reserve',
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(held.calls.length, 6, 'no seventh while six are held');
    for (const call of held.calls) call.settle({});
    await eventually(() => (held.calls.length === 10 ? true : undefined), 'the next four of the busy tenant');
  });

  it('claims nothing for new work of a tenant at its share until the tenant has room again', async () => {
    await addWebhook('wh_more');
    await addWebhook('wh_third');
    const held = new ScriptedSender(clock);
    // Six slots, two kept in reserve: the one tenant holds four, which its first claim takes.
    const worker = dispatcher(held, { concurrency: 6, webhookConcurrency: 2, pollIntervalMs: 600_000 });
    await publish('kpi.computed', 6);
    worker.start();
    await eventually(() => (held.calls.length === 4 ? true : undefined), 'four deliveries in flight');
    await settleDown();
    let claims = 0;
    const claim = store.claimDueDeliveries.bind(store);
    store.claimDueDeliveries = async (request) => {
      claims += 1;
      return claim(request);
    };

    // A fan-out or a publish of the capped tenant announces it by name: no claim could take any of it.
    await publish('kpi.computed', 3);
    await settleDown();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(claims, 0, 'no claim for work of a tenant with no room');
    // Work announced without names (another process's, over NOTIFY) may be any tenant's.
    worker.wake('work');
    await eventually(() => (claims === 1 ? true : undefined), 'a claim for unnamed work');
    await settleDown();
    assert.equal(held.calls.length, 4, 'that claim took nothing of the capped tenant');

    // Its room coming back is what brings its next delivery in.
    held.calls[0]?.settle({});
    await eventually(
      () => (held.calls.length === 5 ? true : undefined),
      'the next delivery once room is made',
    );
    assert.ok(claims >= 2, `${claims} claims`);
  });

  it("redelivers a dead worker's deliveries once its lease expires, and ignores its late outcome", async () => {
    const stuck = new ScriptedSender(clock);
    const dead = dispatcher(stuck, { owner: 'dead-worker' });
    await publish('kpi.computed', 3);
    dead.start();
    await eventually(
      () => (stuck.calls.length === 3 ? true : undefined),
      'the first worker to take all three',
    );

    const healthy = new ScriptedSender(clock, () => ({}));
    const survivor = dispatcher(healthy, { owner: 'survivor' });
    await survivor.drain();
    assert.equal(healthy.calls.length, 0, 'nothing is taken while the lease holds');
    clock.advance(dead.leaseMs);
    await survivor.drain();
    assert.equal(healthy.calls.length, 3, 'every expired lease is claimed again');

    for (const call of stuck.calls) call.settle(FAIL); // the presumed-dead worker wakes up
    await dead.idle();
    const rows = await store.listDeliveries(TENANT, 'wh_fast', { limit: 10 });
    assert.deepEqual(
      rows.map((row) => [row.status, row.attempt, row.statusCode]),
      [
        ['succeeded', 1, 200],
        ['succeeded', 1, 200],
        ['succeeded', 1, 200],
      ],
    );
    assert.deepEqual(await store.listDeadLetters(TENANT, { limit: 10 }), []);
  });

  it('on stop with the database away, still lets the sends in flight finish', async () => {
    const held = new ScriptedSender(clock);
    const failingRelease = Object.create(store) as SqliteStore;
    failingRelease.releaseDeliveries = async () => {
      throw new Error('database unavailable');
    };
    const errors: unknown[] = [];
    const worker = dispatcher(held, {
      queue: failingRelease,
      concurrency: 10,
      webhookConcurrency: 2,
      onError: (error) => errors.push(error),
    });
    await publish('kpi.computed', 10);
    worker.start();
    await eventually(() => (held.calls.length === 2 ? true : undefined), 'two in flight');
    held.calls[0]?.settle({});
    // Its outcome written, the next claim fills the lane: two sending, one waiting.
    await eventually(() => (held.calls.length === 3 ? true : undefined), 'a third in flight and one waiting');
    const stopped = worker.stop();
    for (const call of held.calls.slice(1)) call.settle({});
    await stopped;
    assert.equal(errors.length, 1, 'the failed release is reported');
    const rows = await store.listDeliveries(TENANT, 'wh_fast', { limit: 20 });
    assert.equal(
      rows.filter((row) => row.status === 'succeeded').length,
      3,
      'every send in flight was recorded',
    );
  });

  it('cuts a webhook that times out to one request in flight, and lets it climb back', async () => {
    const results = new Map<string, Partial<AttemptResult>>([
      ['wh_slow', { statusCode: null, error: 'timed out after 10s' }],
    ]);
    const held = new ScriptedSender(clock);
    const worker = dispatcher(held, { concurrency: 64, webhookConcurrency: 8 });
    await publish('kpi.alert', 40);
    worker.start();
    const inFlight = () =>
      held.calls.filter((call) => call.delivery.webhookId === 'wh_slow' && !call.settled);
    await eventually(() => (inFlight().length === 4 ? true : undefined), 'a new webhook starts with four');
    for (const call of inFlight()) call.settle(results.get('wh_slow') ?? {});
    await eventually(() => (inFlight().length === 1 ? true : undefined), 'after timeouts, one at a time');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(inFlight().length, 1, 'no more than one while it keeps failing');
    // Answered attempts widen it again, one slot each.
    let most = 1;
    for (let round = 0; round < 10 && most < 4; round++) {
      for (const call of inFlight()) call.settle({});
      await eventually(() => (inFlight().length > 0 ? true : undefined), 'the next attempts');
      await new Promise((resolve) => setTimeout(resolve, 20));
      most = Math.max(most, inFlight().length);
    }
    assert.ok(most >= 4, `climbed back to ${most} in flight`);
  });

  it('on stop, finishes what is in flight and gives back what it had not sent', async () => {
    const held = new ScriptedSender(clock);
    const worker = dispatcher(held, { concurrency: 10, webhookConcurrency: 2 });
    await publish('kpi.computed', 10);
    worker.start();
    await eventually(() => (held.calls.length === 2 ? true : undefined), 'two in flight, eight waiting');
    const stopped = worker.stop();
    for (const call of held.calls) call.settle({});
    await stopped;
    const rows = await store.listDeliveries(TENANT, 'wh_fast', { limit: 20 });
    assert.equal(rows.filter((row) => row.status === 'succeeded').length, 2);
    assert.equal(rows.filter((row) => row.status === 'pending').length, 8);
    assert.equal(await store.nextDueAt(), clock.now(), 'the unsent ones are due again at once');
  });

  it('on 410 Gone dead-letters the delivery, gives back what waits, and disables the webhook with a notice', async () => {
    await store.createWebhook({
      id: 'wh_watch',
      tenantId: TENANT,
      url: 'http://127.0.0.1:9/watch',
      description: '',
      events: ['webhook.disabled'],
      status: 'active',
      secret: null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    const sender = new ScriptedSender(clock, (delivery) =>
      delivery.webhookId === 'wh_fast' ? { statusCode: 410, error: 'HTTP 410' } : {},
    );
    const worker = dispatcher(sender, { webhookConcurrency: 2 });
    await publish('kpi.computed', 6);
    worker.start();
    const notice = await eventually(
      () => sender.calls.find((call) => call.delivery.webhookId === 'wh_watch'),
      'the webhook.disabled notice sent to the watcher',
    );
    assert.equal(notice.delivery.event, 'webhook.disabled');
    assert.match(notice.delivery.payload.toString(), /"webhookId":"wh_fast"/);
    await worker.idle();
    const gone = await store.getWebhook(TENANT, 'wh_fast');
    assert.equal(gone?.status, 'disabled');
    assert.equal(gone?.disabledReason, GONE_REASON);
    const sentToGone = sender.calls.filter((call) => call.delivery.webhookId === 'wh_fast').length;
    assert.ok(sentToGone <= 2, `only what was in flight was sent: ${sentToGone}`);
    const letters = await store.listDeadLetters(TENANT, { limit: 10 });
    assert.equal(letters.length, sentToGone, 'each 410 went to the dead letter queue');
    assert.ok(letters.every((letter) => letter.error === 'HTTP 410'));
    const pending = (await store.listDeliveries(TENANT, 'wh_fast', { limit: 20 })).filter(
      (row) => row.status === 'pending',
    );
    assert.equal(pending.length, 6 - sentToGone, 'the rest wait, unsent, for the webhook to be enabled');
  });

  it("postpones a retry by the receiver's Retry-After, up to the cap", async () => {
    const sender = new ScriptedSender(clock, () => ({
      statusCode: 429,
      error: 'HTTP 429',
      retryAfterMs: 120_000,
    }));
    const worker = dispatcher(sender);
    await publish('kpi.computed', 1);
    await worker.drain();
    const [retry] = (await store.listDeliveries(TENANT, 'wh_fast', { limit: 5 })).filter(
      (row) => row.status === 'pending',
    );
    assert.equal(retry?.attempt, 2);
    assert.equal(retry?.nextAttemptAt, clock.now() + 120_000, 'two minutes, where the schedule says one');
  });

  it("paces a webhook to its rate limit: a second's burst, then one start per 1/rate", async () => {
    const fast = (await store.getWebhook(TENANT, 'wh_fast')) as Webhook;
    await store.updateWebhook({ ...fast, rateLimit: 2 });
    const sender = new ScriptedSender(clock, () => ({}));
    const worker = dispatcher(sender, { webhookConcurrency: 8 });
    await publish('kpi.computed', 6);
    worker.start();
    await eventually(() => (sender.calls.length === 2 ? true : undefined), 'the burst of two');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sender.calls.length, 2, 'the rest wait for the rate');
    clock.advance(500);
    await eventually(() => (sender.calls.length === 3 ? true : undefined), 'one more after half a second');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sender.calls.length, 3);
    clock.advance(1_000);
    await eventually(() => (sender.calls.length === 5 ? true : undefined), 'two more after a second');
  });

  it('sends to an ordered webhook one at a time, each event after the previous one ended', async () => {
    const fast = (await store.getWebhook(TENANT, 'wh_fast')) as Webhook;
    await store.updateWebhook({ ...fast, ordering: 'fifo' });
    const held = new ScriptedSender(clock);
    const worker = dispatcher(held, { webhookConcurrency: 8 });
    await publish('kpi.computed', 4);
    worker.start();
    const order: number[] = [];
    while (order.length < 5) {
      const call = await eventually(() => held.calls.find((c) => !c.settled), 'the next delivery');
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(held.inFlight, 1, 'never two at once');
      order.push(JSON.parse(call.delivery.payload.toString()).data.i);
      // The second event fails once: its retry, a minute later, comes before the third.
      const failOnce = order.length === 2;
      call.settle(failOnce ? FAIL : {});
      if (failOnce) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(held.calls.filter((c) => !c.settled).length, 0, 'the third waits for the retry');
        clock.advance(60_000);
        worker.wake('timer');
      }
    }
    assert.deepEqual(order, [0, 1, 1, 2, 3]);
  });
});
