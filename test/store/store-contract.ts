import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { HeraldError } from '../../src/core/errors.js';
import { publishBodyHash, serializePayload } from '../../src/core/payload.js';
import { DELIVERY_PREFIX, fromPublicId } from '../../src/core/public-ids.js';
import type {
  AttemptOutcome,
  ClaimedDelivery,
  EventType,
  NewApiKey,
  NewEvent,
  Webhook,
} from '../../src/core/types.js';
import { DEFAULT_IDEMPOTENCY_WINDOW_MS } from '../../src/store/idempotency.js';
import type { DeliveryClaim, DeliveryFilter, Store } from '../../src/store/store.js';
import { eventually } from '../support/eventually.js';

/** A fresh, migrated, empty store per test, and a way to drop everything at the end. */
export interface StoreFixture {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2025, 0, 15, 10, 30, 0);
const LEASE_MS = 30_000;
const HOUR = 3_600_000;

function webhook(tenantId: string, id: string, overrides: Partial<Webhook> = {}): Webhook {
  return {
    id,
    tenantId,
    url: `http://127.0.0.1:9/${id}`,
    description: '',
    events: [],
    status: 'active',
    disabledReason: null,
    failingSince: null,
    ordering: 'none',
    rateLimit: null,
    secret: null,
    previousSecretUntil: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** An event whose id the publisher chose, as ids given to the API are: remembered for the window. */
function event(tenantId: string, id: string, type = 'kpi.alert', data: unknown = { n: id }): NewEvent {
  return {
    id,
    tenantId,
    event: type,
    payload: serializePayload(type, T0, tenantId, data),
    timestamp: T0,
    bodyHash: publishBodyHash(type, data),
  };
}

function eventType(name: string, description = ''): EventType {
  return { name, description, schema: null, example: null, enforceSchema: false };
}

function apiKey(id: string, tenantId: string, overrides: Partial<NewApiKey> = {}): NewApiKey {
  return { id, tenantId, name: 'ci', prefix: `hk_${id}`, createdAt: T0, expiresAt: null, ...overrides };
}

function outcome(
  claimed: ClaimedDelivery,
  verdict: AttemptOutcome['verdict'],
  at: number,
  next = 0,
): AttemptOutcome {
  const base = {
    deliveryId: claimed.id,
    lease: claimed.lease,
    attemptedAt: at,
    responseTimeMs: 12,
    statusCode: verdict === 'succeeded' ? 200 : 500,
    error: verdict === 'succeeded' ? null : 'HTTP 500',
    responseBody: verdict === 'succeeded' ? 'ok' : 'boom',
    requestHeaders: { 'webhook-signature': `v1,${verdict}` },
  };
  return verdict === 'retry' ? { ...base, verdict, nextAttemptAt: next } : { ...base, verdict };
}

export function describeStoreContract(backend: string, fixture: StoreFixture): void {
  describe(`Store contract: ${backend}`, () => {
    let store: Store;

    async function claim(
      now: number,
      limit = 100,
      skipWebhookIds: string[] = [],
    ): Promise<ClaimedDelivery[]> {
      return store.claimDueDeliveries({
        owner: 'w1',
        now,
        leaseUntil: now + LEASE_MS,
        limit,
        perWebhookLimit: 1000,
        webhookRooms: new Map(skipWebhookIds.map((id) => [id, 0])),
      });
    }

    async function seedTenant(id = 'tenant_a'): Promise<void> {
      await store.createTenant({ id, name: id, createdAt: T0 });
    }

    beforeEach(async () => {
      store = await fixture.open();
    });
    afterEach(async () => {
      await store.close();
    });
    after(async () => {
      await fixture.cleanup();
    });

    describe('tenants, keys and the event catalogue', () => {
      it('migrates twice without harm and starts with the documented event types, in their order', async () => {
        await store.migrate();
        const types = await store.listEventTypes();
        assert.deepEqual(
          types.map((type) => type.name),
          [
            'ingestion.completed',
            'ingestion.failed',
            'kpi.computed',
            'kpi.alert',
            'analysis.completed',
            'dashboard.ready',
            'webhook.test',
            'webhook.disabled',
          ],
        );
        const [completed] = types;
        assert.deepEqual(
          completed?.example,
          { jobId: 'job_xyz', table: 'sales_data', rowsIngested: 15234, duration: 3200 },
          "the documentation's own example, keys in its order",
        );
        assert.deepEqual(Object.keys(completed?.example ?? {}), [
          'jobId',
          'table',
          'rowsIngested',
          'duration',
        ]);
        assert.deepEqual((completed?.schema as { required?: string[] } | undefined)?.required, [
          'jobId',
          'table',
          'rowsIngested',
          'duration',
        ]);
        assert.ok(
          types.every((type) => type.schema !== null && type.example !== null && !type.enforceSchema),
          'every default type has a schema and an example, enforced by none',
        );
      });

      it('creates, finds and lists tenants; a taken id is TENANT_EXISTS', async () => {
        await store.createTenant({ id: 'tenant_b', name: 'B', createdAt: T0 + 1 });
        await store.createTenant({ id: 'tenant_a', name: 'A', createdAt: T0 });
        assert.deepEqual(await store.getTenant('tenant_a'), {
          id: 'tenant_a',
          name: 'A',
          createdAt: T0,
          limits: {},
          branding: {},
        });
        assert.equal(await store.getTenant('nope'), null);
        assert.deepEqual(
          (await store.listTenants()).map((t) => t.id),
          ['tenant_a', 'tenant_b'],
        );
        await assert.rejects(
          store.createTenant({ id: 'tenant_a', name: 'again', createdAt: T0 }),
          (error: unknown) => error instanceof HeraldError && error.code === 'TENANT_EXISTS',
        );
      });

      it('finds API keys by hash only', async () => {
        await seedTenant();
        const key = apiKey('key_1', 'tenant_a');
        await store.createApiKey(key, 'hash-1');
        assert.deepEqual(await store.findApiKeyByHash('hash-1'), { ...key, lastUsedAt: null });
        assert.equal(await store.findApiKeyByHash('hash-2'), null);
      });

      it("lists a tenant's keys oldest first, with expiry and last use, never the hash", async () => {
        await seedTenant('tenant_a');
        await seedTenant('tenant_b');
        await store.createApiKey(apiKey('key_2', 'tenant_a', { expiresAt: T0 + HOUR }), 'hash-2');
        await store.createApiKey(apiKey('key_1', 'tenant_a'), 'hash-1');
        await store.createApiKey(apiKey('key_3', 'tenant_b'), 'hash-3');
        await store.touchApiKey('key_2', T0 + 5_000);
        const listed = await store.listApiKeys('tenant_a');
        assert.deepEqual(listed, [
          { ...apiKey('key_1', 'tenant_a'), lastUsedAt: null },
          { ...apiKey('key_2', 'tenant_a', { expiresAt: T0 + HOUR }), lastUsedAt: T0 + 5_000 },
        ]);
        assert.deepEqual(await store.listApiKeys('nope'), []);
      });

      it('revokes a key of its own tenant only, and announces it', async () => {
        await seedTenant('tenant_a');
        await seedTenant('tenant_b');
        await store.createApiKey(apiKey('key_1', 'tenant_a'), 'hash-1');
        let announced = 0;
        const unsubscribe = store.onCredentialsChanged(() => {
          announced += 1;
        });
        assert.equal(await store.revokeApiKey('tenant_b', 'key_1'), false, 'another tenant cannot');
        assert.ok(await store.findApiKeyByHash('hash-1'));
        assert.equal(await store.revokeApiKey('tenant_a', 'key_1'), true);
        // At least once: PostgreSQL also wakes its listeners when its notification connection opens.
        assert.ok(announced >= 1);
        assert.equal(await store.revokeApiKey('tenant_a', 'key_1'), false);
        assert.equal(await store.findApiKeyByHash('hash-1'), null);
        unsubscribe();
      });

      it('adds and removes event types; a taken name is EVENT_TYPE_EXISTS', async () => {
        await store.addEventType(eventType('invoice.paid', 'An invoice was paid'));
        assert.ok((await store.listEventTypes()).some((type) => type.name === 'invoice.paid'));
        await assert.rejects(
          store.addEventType(eventType('invoice.paid', 'again')),
          (error: unknown) => error instanceof HeraldError && error.code === 'EVENT_TYPE_EXISTS',
        );
        assert.deepEqual(await store.removeEventType('invoice.paid'), { outcome: 'removed' });
        assert.deepEqual(await store.removeEventType('invoice.paid'), { outcome: 'absent' });
      });

      it('keeps added types after the default ones, in the order they were added', async () => {
        await store.addEventType(eventType('zeta.added_first'));
        await store.addEventType(eventType('alpha.added_second'));
        const names = (await store.listEventTypes()).map((type) => type.name);
        assert.deepEqual(names.slice(0, 2), ['ingestion.completed', 'ingestion.failed']);
        assert.deepEqual(names.slice(-2), ['zeta.added_first', 'alpha.added_second']);
      });

      it("stores a type's schema, example and enforcement as given, and replaces them", async () => {
        const schema = {
          type: 'object',
          properties: { invoiceId: { type: 'string' }, amount: { type: 'number' } },
          required: ['invoiceId'],
        };
        const added = {
          ...eventType('invoice.paid', 'An invoice was paid'),
          schema,
          example: { invoiceId: 'in_1', amount: 12.5 },
          enforceSchema: true,
        };
        await store.addEventType(added);
        const find = async (name: string) =>
          (await store.listEventTypes()).find((type) => type.name === name);
        assert.deepEqual(await find('invoice.paid'), added);
        assert.deepEqual(Object.keys((await find('invoice.paid'))?.schema ?? {}), [
          'type',
          'properties',
          'required',
        ]);

        const changed = { ...added, description: 'Paid in full', example: null, enforceSchema: false };
        assert.equal(await store.updateEventType(changed), true);
        assert.deepEqual(await find('invoice.paid'), changed);
        assert.equal(await store.updateEventType(eventType('invoice.missing')), false);
        assert.equal(await find('invoice.missing'), undefined, 'an update adds nothing');
      });

      it('keeps an event type that webhooks subscribe to, counting them', async () => {
        await seedTenant('tenant_a');
        await store.addEventType(eventType('invoice.paid'));
        await store.createWebhook(webhook('tenant_a', 'wh_1', { events: ['kpi.alert', 'invoice.paid'] }));
        await store.createWebhook(webhook('tenant_a', 'wh_2', { events: ['invoice.paid'] }));
        await store.createWebhook(webhook('tenant_a', 'wh_3', { events: ['invoice.paid.late'] }));
        await store.createWebhook(webhook('tenant_a', 'wh_4', { events: [] }));
        assert.deepEqual(await store.removeEventType('invoice.paid'), { outcome: 'in-use', webhooks: 2 });
        assert.deepEqual(
          await store.removeEventType('invoice.paid.late'),
          { outcome: 'absent' },
          'a filter naming a type not in the catalogue does not make it exist',
        );
        assert.ok((await store.listEventTypes()).some((type) => type.name === 'invoice.paid'));
        await store.deleteWebhook('tenant_a', 'wh_1');
        await store.deleteWebhook('tenant_a', 'wh_2');
        assert.deepEqual(await store.removeEventType('invoice.paid'), { outcome: 'removed' });
      });
    });

    describe('webhooks', () => {
      it('stores, pages, updates and scopes webhooks to their tenant', async () => {
        await seedTenant('tenant_a');
        await seedTenant('tenant_b');
        for (const id of ['wh_1', 'wh_2', 'wh_3']) {
          await store.createWebhook(webhook('tenant_a', id, { events: ['kpi.alert'], secret: 's3cret' }));
        }
        await store.createWebhook(webhook('tenant_b', 'wh_9'));
        const first = await store.listWebhooks('tenant_a', { limit: 2 });
        assert.deepEqual(
          first.map((w) => w.id),
          ['wh_1', 'wh_2'],
        );
        const rest = await store.listWebhooks('tenant_a', { limit: 2, after: 'wh_2' });
        assert.deepEqual(
          rest.map((w) => w.id),
          ['wh_3'],
        );
        assert.deepEqual(await store.getWebhook('tenant_a', 'wh_1'), {
          ...webhook('tenant_a', 'wh_1'),
          events: ['kpi.alert'],
          secret: 's3cret',
        });
        assert.equal(await store.getWebhook('tenant_b', 'wh_1'), null);

        const changed = {
          ...webhook('tenant_a', 'wh_1'),
          url: 'http://127.0.0.1:9/new',
          status: 'disabled' as const,
        };
        await store.updateWebhook({ ...changed, updatedAt: T0 + 5 });
        assert.deepEqual(await store.getWebhook('tenant_a', 'wh_1'), { ...changed, updatedAt: T0 + 5 });
        assert.equal(await store.deleteWebhook('tenant_b', 'wh_1'), false);
        assert.equal(await store.deleteWebhook('tenant_a', 'wh_1'), true);
        assert.equal(await store.getWebhook('tenant_a', 'wh_1'), null);
      });
    });

    describe('tenant limits and webhook settings', () => {
      it("keeps a tenant's own limits", async () => {
        await store.createTenant({ id: 'tenant_q', name: 'Q', createdAt: T0, limits: { maxWebhooks: 3 } });
        assert.deepEqual((await store.getTenant('tenant_q'))?.limits, { maxWebhooks: 3 });
        assert.deepEqual((await store.listTenants()).find((t) => t.id === 'tenant_q')?.limits, {
          maxWebhooks: 3,
        });
      });

      it('renames a tenant and patches its limits: null removes one, one left out stays', async () => {
        await store.createTenant({ id: 'tenant_q', name: 'Q', createdAt: T0, limits: { maxWebhooks: 3 } });
        const renamed = await store.updateTenant('tenant_q', { name: 'Quartz' });
        assert.deepEqual(renamed, {
          id: 'tenant_q',
          name: 'Quartz',
          createdAt: T0,
          limits: { maxWebhooks: 3 },
          branding: {},
        });
        const patched = await store.updateTenant('tenant_q', {
          limits: { maxWebhooks: null, publishRate: 50, keyPublishRate: 0 },
        });
        assert.deepEqual(patched?.limits, { publishRate: 50, keyPublishRate: 0 });
        assert.equal(patched?.name, 'Quartz');
        assert.deepEqual(await store.getTenant('tenant_q'), patched);
        const emptied = await store.updateTenant('tenant_q', {
          limits: { publishRate: null, keyPublishRate: null },
        });
        assert.deepEqual(emptied?.limits, {});
        assert.equal(await store.updateTenant('tenant_nope', { name: 'x' }), null);
      });

      it("patches a tenant's branding: null returns one field to Herald's, one left out stays", async () => {
        await store.createTenant({ id: 'tenant_q', name: 'Q', createdAt: T0 });
        const logoUrl = `data:image/svg+xml;base64,${'A'.repeat(40_000)}`;
        const branded = await store.updateTenant('tenant_q', {
          branding: { accentColor: '#0f5bd8', productName: 'Acme Analytics', logoUrl },
        });
        assert.deepEqual(branded?.branding, {
          accentColor: '#0f5bd8',
          productName: 'Acme Analytics',
          logoUrl,
        });
        assert.deepEqual(branded?.limits, {}, 'the limits are not touched');
        assert.deepEqual(
          (await store.listTenants()).find((t) => t.id === 'tenant_q'),
          branded,
        );
        const patched = await store.updateTenant('tenant_q', {
          limits: { maxWebhooks: 4 },
          branding: { logoUrl: null, accentColor: '#7a1f5c' },
        });
        assert.deepEqual(patched?.branding, { accentColor: '#7a1f5c', productName: 'Acme Analytics' });
        assert.deepEqual(patched?.limits, { maxWebhooks: 4 });
        assert.deepEqual(await store.getTenant('tenant_q'), patched);
        const renamed = await store.updateTenant('tenant_q', { name: 'Quartz' });
        assert.deepEqual(renamed?.branding, patched?.branding, 'a rename keeps the branding');
      });

      it("refuses a webhook past the limit, counting only that tenant's webhooks", async () => {
        await seedTenant('tenant_a');
        await seedTenant('tenant_b');
        await store.createWebhook(webhook('tenant_b', 'wh_b1'));
        const limit = { maxWebhooks: 2 };
        assert.equal(await store.createWebhook(webhook('tenant_a', 'wh_1'), limit), true);
        assert.equal(await store.createWebhook(webhook('tenant_a', 'wh_2'), limit), true);
        assert.equal(await store.createWebhook(webhook('tenant_a', 'wh_3'), limit), false);
        assert.equal(await store.getWebhook('tenant_a', 'wh_3'), null);
        assert.equal(await store.createWebhook(webhook('tenant_a', 'wh_4'), { maxWebhooks: 3 }), true);
        assert.equal(
          await store.createWebhook(webhook('tenant_a', 'wh_5')),
          true,
          'no limit given, none applies',
        );
        assert.equal((await store.listWebhooks('tenant_a', { limit: 10 })).length, 4);
      });

      it('never passes the limit when creates race', async () => {
        await seedTenant('tenant_a');
        const created = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.createWebhook(webhook('tenant_a', `wh_race_${i}`), { maxWebhooks: 3 }),
          ),
        );
        assert.equal(created.filter(Boolean).length, 3);
        assert.equal((await store.listWebhooks('tenant_a', { limit: 20 })).length, 3);
      });

      it('keeps ordering and rate limit; a webhook starts unordered, unlimited and healthy', async () => {
        await seedTenant();
        await store.createWebhook({
          id: 'wh_plain',
          tenantId: 'tenant_a',
          url: 'http://127.0.0.1:9/wh_plain',
          description: '',
          events: [],
          status: 'active',
          secret: null,
          createdAt: T0,
          updatedAt: T0,
        });
        assert.deepEqual(await store.getWebhook('tenant_a', 'wh_plain'), webhook('tenant_a', 'wh_plain'));
        await store.createWebhook(webhook('tenant_a', 'wh_fifo', { ordering: 'fifo', rateLimit: 2.5 }));
        const stored = await store.getWebhook('tenant_a', 'wh_fifo');
        assert.equal(stored?.ordering, 'fifo');
        assert.equal(stored?.rateLimit, 2.5);
        await store.updateWebhook({ ...(stored as Webhook), ordering: 'none', rateLimit: null });
        const changed = await store.getWebhook('tenant_a', 'wh_fifo');
        assert.equal(changed?.ordering, 'none');
        assert.equal(changed?.rateLimit, null);
      });
    });

    describe('publishing and the delivery queue', () => {
      beforeEach(async () => {
        await seedTenant('tenant_a');
        await seedTenant('tenant_b');
        await store.createWebhook(webhook('tenant_a', 'wh_all'));
        await store.createWebhook(webhook('tenant_a', 'wh_alerts', { events: ['kpi.alert'] }));
        await store.createWebhook(webhook('tenant_a', 'wh_ingest', { events: ['ingestion.completed'] }));
        await store.createWebhook(webhook('tenant_a', 'wh_off', { status: 'disabled' }));
        await store.createWebhook(webhook('tenant_b', 'wh_other'));
      });

      it('fans an event out to the active webhooks of its tenant that subscribe to its type', async () => {
        const [result] = await store.publishEvents([event('tenant_a', 'evt_1', 'kpi.alert')], T0);
        assert.deepEqual(result, {
          id: 'evt_1',
          event: 'kpi.alert',
          timestamp: T0,
          deliveries: 2,
          duplicate: false,
        });
        const claimed = await claim(T0);
        assert.deepEqual(claimed.map((c) => c.webhookId).sort(), ['wh_alerts', 'wh_all']);
        for (const c of claimed) {
          assert.equal(c.attempt, 1);
          assert.equal(c.trigger, 'event');
          assert.equal(c.eventId, 'evt_1');
          assert.equal(c.tenantId, 'tenant_a');
          assert.deepEqual(c.payload, event('tenant_a', 'evt_1').payload);
        }
      });

      it('announces queued work after the commit', async () => {
        let calls = 0;
        let wake: () => void = () => undefined;
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const unsubscribe = store.onDeliveriesQueued(() => {
          calls += 1;
          wake();
        });
        await store.publishEvents([event('tenant_a', 'evt_1', 'kpi.alert')], T0);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          woken,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('no wake-up within 5 s')), 5000);
          }),
        ]);
        clearTimeout(timer);
        assert.ok(calls >= 1);
        unsubscribe();
      });

      it('answers a repeated id with the first result and queues nothing twice', async () => {
        const [first] = await store.publishEvents([event('tenant_a', 'order-1', 'kpi.alert')], T0);
        const [again] = await store.publishEvents(
          [event('tenant_a', 'order-1', 'ingestion.completed')],
          T0 + 99,
        );
        assert.deepEqual(again, {
          ...first,
          duplicate: true,
          storedBodyHash: publishBodyHash('kpi.alert', { n: 'order-1' }),
        });
        const [otherTenant] = await store.publishEvents([event('tenant_b', 'order-1', 'kpi.alert')], T0);
        assert.equal(otherTenant?.duplicate, false);
        assert.equal((await claim(T0 + 100)).length, 3);
      });

      it('gives the stored body hash of a repeat within one publish, for the caller to compare', async () => {
        const results = await store.publishEvents(
          [
            event('tenant_a', 'order-2', 'kpi.alert', { v: 1 }),
            event('tenant_a', 'order-2', 'kpi.alert', { v: 2 }),
          ],
          T0,
        );
        assert.deepEqual(
          results.map((result) => [result.duplicate, result.storedBodyHash]),
          [
            [false, undefined],
            [true, publishBodyHash('kpi.alert', { v: 1 })],
          ],
        );
      });

      it('forgets an id once the idempotency window has passed: the same id is a new event', async () => {
        const [first] = await store.publishEvents([event('tenant_a', 'order-3')], T0);
        const lastMoment = T0 + DEFAULT_IDEMPOTENCY_WINDOW_MS - 1;
        const [within] = await store.publishEvents([event('tenant_a', 'order-3')], lastMoment);
        assert.equal(within?.duplicate, true);
        const after = T0 + DEFAULT_IDEMPOTENCY_WINDOW_MS;
        const [again] = await store.publishEvents(
          [event('tenant_a', 'order-3', 'kpi.alert', { v: 2 })],
          after,
        );
        assert.deepEqual(again, { ...first, duplicate: false }, 'stored anew');
        const [repeat] = await store.publishEvents([event('tenant_a', 'order-3')], after + 1);
        assert.equal(repeat?.duplicate, true, 'remembered again from its new publish');
        assert.equal(repeat?.storedBodyHash, publishBodyHash('kpi.alert', { v: 2 }));
        assert.equal((await claim(after + 1)).length, 4, 'two events, each to both webhooks');
      });

      it('never remembers an id Herald generated (no body hash)', async () => {
        const generated = { ...event('tenant_a', 'evt_generated'), bodyHash: undefined };
        await store.publishEvents([generated], T0);
        assert.equal(await store.pruneIdempotencyKeys(T0 + 2 * DEFAULT_IDEMPOTENCY_WINDOW_MS), null);
      });

      it('prunes records past the window in chunks, oldest first, leaving younger ones', async () => {
        for (let batch = 0; batch < 6; batch++) {
          const events = Array.from({ length: 100 }, (_, i) => event('tenant_a', `old_${batch}_${i}`));
          await store.publishEvents(events, T0);
        }
        await store.publishEvents([event('tenant_a', 'young')], T0 + 1);
        const pruneAt = T0 + DEFAULT_IDEMPOTENCY_WINDOW_MS;
        const pruned: (number | null)[] = [];
        while (pruned.at(-1) !== null) pruned.push(await store.pruneIdempotencyKeys(pruneAt));
        assert.deepEqual(pruned, [500, 100, null]);
        const [young] = await store.publishEvents([event('tenant_a', 'young')], pruneAt);
        assert.equal(young?.duplicate, true, 'inside its window still');
      });

      it('commits many concurrent publishes, each with its own result', async () => {
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            store.publishEvents([event('tenant_a', `evt_${i}`, 'kpi.alert')], T0),
          ),
        );
        assert.deepEqual(
          results.map((r) => r[0]?.id),
          Array.from({ length: 200 }, (_, i) => `evt_${i}`),
        );
        assert.equal((await claim(T0, 1000)).length, 400);
      });

      it('claims only due work, within the limit, skipping listed webhooks, once per lease', async () => {
        await store.publishEvents(
          [event('tenant_a', 'evt_1', 'kpi.alert'), event('tenant_a', 'evt_2', 'kpi.alert')],
          T0,
        );
        assert.equal((await claim(T0 - 1)).length, 0, 'not due before its time');
        const skipping = await claim(T0, 100, ['wh_all']);
        assert.deepEqual(
          skipping.map((c) => c.webhookId),
          ['wh_alerts', 'wh_alerts'],
        );
        const limited = await claim(T0, 1);
        assert.equal(limited.length, 1);
        assert.equal((await claim(T0)).length, 1, 'leased rows are not claimed again');
        assert.equal((await claim(T0 + LEASE_MS - 1)).length, 0, 'not before the lease expires');
        const reclaimed = await claim(T0 + LEASE_MS);
        assert.equal(reclaimed.length, 4, 'every expired lease falls due again');
        assert.ok(reclaimed.every((c) => c.lease !== limited[0]?.lease));
      });

      it('takes at most perWebhookLimit of one webhook per claim, so a backlog cannot fill the batch', async () => {
        for (let i = 0; i < 20; i++)
          await store.publishEvents([event('tenant_a', `alert_${i}`, 'kpi.alert')], T0);
        await store.publishEvents([event('tenant_a', 'ingest_1', 'ingestion.completed')], T0 + 1);
        const claimed = await store.claimDueDeliveries({
          owner: 'w1',
          now: T0 + 1,
          leaseUntil: T0 + LEASE_MS,
          limit: 10,
          perWebhookLimit: 3,
        });
        const counts = new Map<string, number>();
        for (const c of claimed) counts.set(c.webhookId, (counts.get(c.webhookId) ?? 0) + 1);
        assert.deepEqual(Object.fromEntries(counts), { wh_all: 3, wh_alerts: 3, wh_ingest: 1 });
      });

      it('takes each webhook and tenant within the room the claim gives it', async () => {
        for (let i = 0; i < 10; i++) {
          await store.publishEvents([event('tenant_a', `alert_${i}`, 'kpi.alert')], T0);
          await store.publishEvents([event('tenant_b', `other_${i}`, 'kpi.alert')], T0);
        }
        const claimOf = async (rooms: Omit<DeliveryClaim, 'owner' | 'now' | 'leaseUntil' | 'limit'>) => {
          const claimed = await store.claimDueDeliveries({
            owner: 'w1',
            now: T0,
            leaseUntil: T0 + LEASE_MS,
            limit: 100,
            ...rooms,
          });
          const counts: Record<string, number> = {};
          for (const c of claimed) counts[c.webhookId] = (counts[c.webhookId] ?? 0) + 1;
          for (const c of claimed) counts[c.tenantId] = (counts[c.tenantId] ?? 0) + 1;
          return counts;
        };
        assert.deepEqual(
          await claimOf({
            perWebhookLimit: 4,
            webhookRooms: new Map([
              ['wh_alerts', 1],
              ['wh_other', 0],
            ]),
          }),
          { wh_all: 4, wh_alerts: 1, tenant_a: 5 },
          'a listed webhook takes its own room; 0 passes it over',
        );
        const tenantBound = await claimOf({
          perWebhookLimit: 10,
          perTenantLimit: 3,
          tenantRooms: new Map([['tenant_b', 2]]),
        });
        assert.deepEqual(
          [tenantBound.tenant_a, tenantBound.tenant_b, tenantBound.wh_other],
          [3, 2, 2],
          'tenant_a takes three, tenant_b its own two',
        );
        assert.deepEqual(
          await claimOf({ perWebhookLimit: 10, tenantRooms: new Map([['tenant_a', 0]]) }),
          { wh_other: 8, tenant_b: 8 },
          'a tenant with no room is passed over; no bound for the others',
        );
      });

      it('records success, schedules the next attempt on retry and dead-letters the last failure', async () => {
        await store.publishEvents([event('tenant_a', 'evt_1', 'kpi.alert')], T0);
        const [ok, bad] = await claim(T0);
        assert.ok(ok && bad);
        const applied = await store.completeDeliveries(
          [outcome(ok, 'succeeded', T0 + 5), outcome(bad, 'retry', T0 + 5, T0 + 60_000)],
          T0 + 5,
        );
        assert.equal(applied, 2);
        assert.equal(await store.nextDueAt(), T0 + 60_000);
        assert.deepEqual(
          await store.tidyQueue(T0 + 6),
          { changed: 0, nextDueAt: T0 + 60_000 },
          'as the timer reads it',
        );
        assert.equal((await claim(T0 + 59_999)).length, 0);
        const [second] = await claim(T0 + 60_000);
        assert.ok(second);
        assert.equal(second.attempt, 2);
        assert.equal(second.webhookId, bad.webhookId);
        assert.equal(await store.completeDeliveries([outcome(second, 'dead', T0 + 60_010)], T0 + 60_010), 1);
        assert.equal(await store.nextDueAt(), null);

        const history = await store.listDeliveries('tenant_a', bad.webhookId, { limit: 10 });
        assert.deepEqual(
          history.map((d) => [d.attempt, d.status, d.statusCode, d.error, d.nextAttemptAt]),
          [
            [2, 'failed', 500, 'HTTP 500', null],
            [1, 'failed', 500, 'HTTP 500', T0 + 60_000],
          ],
        );
        assert.equal(history[1]?.timestamp, T0 + 5);
        assert.equal(history[1]?.responseTimeMs, 12);
        assert.equal(history[1]?.responseBody, 'boom');

        const [letter] = await store.listDeadLetters('tenant_a', { limit: 10 });
        assert.ok(letter);
        assert.deepEqual(
          {
            webhookId: letter.webhookId,
            url: letter.url,
            eventId: letter.eventId,
            event: letter.event,
            error: letter.error,
            attempts: letter.attempts,
            failedAt: letter.failedAt,
          },
          {
            webhookId: bad.webhookId,
            url: `http://127.0.0.1:9/${bad.webhookId}`,
            eventId: 'evt_1',
            event: 'kpi.alert',
            error: 'HTTP 500',
            attempts: 2,
            failedAt: T0 + 60_010,
          },
        );
        assert.equal(letter.payload, undefined);
      });

      it('counts the queue for the metrics: due, in flight, retries, dead letters and the oldest due', async () => {
        const counts = { deadLetters: 0, disabledWebhooks: 1, failingWebhooks: 0 };
        assert.deepEqual(await store.queueStats(T0), {
          due: 0,
          inFlight: 0,
          retryScheduled: 0,
          oldestDueAt: null,
          ...counts,
        });
        await store.publishEvents([event('tenant_a', 'evt_1', 'kpi.alert')], T0);
        assert.deepEqual(await store.queueStats(T0 + 10), {
          due: 2,
          inFlight: 0,
          retryScheduled: 0,
          oldestDueAt: T0,
          ...counts,
        });
        const [ok, bad] = await claim(T0 + 10);
        assert.ok(ok && bad);
        const leased = await store.queueStats(T0 + 20);
        assert.deepEqual([leased.due, leased.inFlight, leased.oldestDueAt], [0, 2, null]);
        const expired = await store.queueStats(T0 + 10 + LEASE_MS);
        assert.deepEqual([expired.due, expired.inFlight], [2, 0], 'an expired lease is due again');

        await store.completeDeliveries(
          [outcome(ok, 'succeeded', T0 + 20), outcome(bad, 'retry', T0 + 20, T0 + 60_000)],
          T0 + 20,
        );
        assert.deepEqual(await store.queueStats(T0 + 30), {
          due: 0,
          inFlight: 0,
          retryScheduled: 1,
          oldestDueAt: null,
          ...counts,
          failingWebhooks: 1,
        });
        const due = await store.queueStats(T0 + 60_000);
        assert.deepEqual([due.due, due.retryScheduled, due.oldestDueAt], [1, 0, T0 + 60_000]);
        const [second] = await claim(T0 + 60_000);
        assert.ok(second);
        await store.completeDeliveries([outcome(second, 'dead', T0 + 60_010)], T0 + 60_010);
        assert.deepEqual(await store.queueStats(T0 + 60_020), {
          due: 0,
          inFlight: 0,
          retryScheduled: 0,
          oldestDueAt: null,
          deadLetters: 1,
          disabledWebhooks: 1,
          failingWebhooks: 1,
        });
      });

      it('ignores an outcome whose lease has been taken over, and a final failure leaves no dead letter', async () => {
        await store.publishEvents([event('tenant_a', 'evt_1', 'ingestion.failed')], T0);
        const [stale] = await claim(T0);
        const [fresh] = await claim(T0 + LEASE_MS);
        assert.ok(stale && fresh);
        assert.equal(await store.completeDeliveries([outcome(stale, 'succeeded', T0 + LEASE_MS + 1)], T0), 0);
        assert.equal(await store.completeDeliveries([outcome(fresh, 'failed', T0 + LEASE_MS + 2)], T0), 1);
        assert.equal(await store.completeDeliveries([outcome(fresh, 'succeeded', T0 + LEASE_MS + 3)], T0), 0);
        const [only] = await store.listDeliveries('tenant_a', 'wh_all', { limit: 10 });
        assert.equal(only?.status, 'failed');
        assert.deepEqual(await store.listDeadLetters('tenant_a', { limit: 10 }), []);
      });

      it('releases leases so the work is due at once', async () => {
        await store.publishEvents([event('tenant_a', 'evt_1', 'ingestion.completed')], T0);
        const [held] = await claim(T0);
        assert.ok(held);
        await store.releaseDeliveries([{ deliveryId: held.id, lease: held.lease }], T0 + 1);
        assert.equal(await store.nextDueAt(), T0 + 1);
        assert.equal((await claim(T0 + 1)).length, 1);
      });

      it('does not hand out work for disabled webhooks, and resumes it when re-enabled', async () => {
        await store.publishEvents([event('tenant_a', 'evt_1', 'ingestion.completed')], T0);
        const ingest = await store.getWebhook('tenant_a', 'wh_ingest');
        assert.ok(ingest);
        await store.updateWebhook({ ...ingest, status: 'disabled' });
        assert.deepEqual(
          (await claim(T0)).map((c) => c.webhookId),
          ['wh_all'],
        );
        assert.equal(await store.nextDueAt(), T0 + LEASE_MS);
        await store.updateWebhook({ ...ingest, status: 'active' });
        assert.deepEqual(
          (await claim(T0)).map((c) => c.webhookId),
          ['wh_ingest'],
        );
      });

      it('pages history newest first, filters by status and hides other tenants', async () => {
        for (let i = 0; i < 5; i++)
          await store.publishEvents([event('tenant_a', `evt_${i}`, 'ingestion.failed')], T0 + i);
        const claimed = await claim(T0 + 10);
        await store.completeDeliveries(
          claimed.slice(0, 2).map((c) => outcome(c, 'succeeded', T0 + 20)),
          T0 + 20,
        );
        const page1 = await store.listDeliveries('tenant_a', 'wh_all', { limit: 3 });
        assert.deepEqual(
          page1.map((d) => d.eventId),
          ['evt_4', 'evt_3', 'evt_2'],
        );
        const page2 = await store.listDeliveries('tenant_a', 'wh_all', { limit: 3, before: page1[2]?.id });
        assert.deepEqual(
          page2.map((d) => d.eventId),
          ['evt_1', 'evt_0'],
        );
        const succeeded = await store.listDeliveries('tenant_a', 'wh_all', {
          limit: 10,
          status: 'succeeded',
        });
        assert.deepEqual(
          succeeded.map((d) => d.eventId),
          ['evt_1', 'evt_0'],
        );
        const pending = await store.listDeliveries('tenant_a', 'wh_all', { limit: 10, status: 'pending' });
        assert.equal(pending.length, 3);
        assert.ok(pending.every((d) => d.statusCode === null && d.event === 'ingestion.failed'));
        assert.deepEqual(await store.listDeliveries('tenant_b', 'wh_all', { limit: 10 }), []);
        assert.deepEqual(
          await store.listDeliveries('tenant_a', 'wh_all', { limit: 10, before: 'bogus' }),
          [],
        );
      });

      it('filters history by event type, event id and attempt time, and counts what matches', async () => {
        const types = ['kpi.alert', 'ingestion.completed', 'kpi.alert', 'ingestion.failed'];
        for (const [i, type] of types.entries()) {
          await store.publishEvents([event('tenant_a', `evt_${i}`, type)], T0 + i);
        }
        await store.publishEvents([event('tenant_b', 'evt_0', 'kpi.alert')], T0);
        // evt_0 and evt_1 are attempted at T0 + 100 and T0 + 200; evt_0 fails and is retried.
        const claimed = await claim(T0 + 100, 100, ['wh_alerts', 'wh_ingest']);
        const first = claimed.find((c) => c.eventId === 'evt_0');
        const second = claimed.find((c) => c.eventId === 'evt_1');
        assert.ok(first && second);
        await store.completeDeliveries([outcome(first, 'retry', T0 + 100, T0 + 150)], T0 + 100);
        await store.completeDeliveries([outcome(second, 'succeeded', T0 + 200)], T0 + 200);

        const ids = async (filter: DeliveryFilter) =>
          (await store.listDeliveries('tenant_a', 'wh_all', { limit: 10, ...filter })).map(
            (d) => `${d.eventId}#${d.attempt}:${d.status}`,
          );
        // Newest row first: the retry of evt_0 was queued after evt_2.
        assert.deepEqual(await ids({ event: 'kpi.alert' }), [
          'evt_0#2:pending',
          'evt_2#1:pending',
          'evt_0#1:failed',
        ]);
        assert.deepEqual(await ids({ eventId: 'evt_0' }), ['evt_0#2:pending', 'evt_0#1:failed']);
        assert.deepEqual(await ids({ eventId: 'evt_0', status: 'failed' }), ['evt_0#1:failed']);
        assert.deepEqual(await ids({ eventId: 'evt_9' }), []);
        // Attempted ones by their attempt, pending ones by when they were scheduled (created).
        assert.deepEqual(await ids({ attemptedFrom: T0 + 100, attemptedBefore: T0 + 201 }), [
          'evt_0#2:pending',
          'evt_1#1:succeeded',
          'evt_0#1:failed',
        ]);
        assert.deepEqual(await ids({ attemptedBefore: T0 + 100 }), ['evt_3#1:pending', 'evt_2#1:pending']);

        assert.equal(await store.countDeliveries('tenant_a', 'wh_all', {}), 5);
        assert.equal(await store.countDeliveries('tenant_a', 'wh_all', { event: 'kpi.alert' }), 3);
        assert.equal(await store.countDeliveries('tenant_a', 'wh_all', { status: 'pending' }), 3);
        assert.equal(
          await store.countDeliveries('tenant_a', 'wh_all', { eventId: 'evt_0', status: 'pending' }),
          1,
        );
        assert.equal(await store.countDeliveries('tenant_a', 'wh_all', { attemptedFrom: T0 + 150 }), 1);
        assert.equal(await store.countDeliveries('tenant_b', 'wh_all', {}), 0);
      });

      it("reads an event's timeline: its attempts to every webhook, oldest first, and their total", async () => {
        await store.publishEvents([event('tenant_a', 'evt_1', 'kpi.alert', { value: 7 })], T0);
        const claimed = await claim(T0 + 10);
        const toAll = claimed.find((c) => c.webhookId === 'wh_all');
        assert.ok(toAll);
        await store.completeDeliveries([outcome(toAll, 'retry', T0 + 20, T0 + 30)], T0 + 20);

        const timeline = await store.getEventTimeline('tenant_a', 'evt_1', 10);
        assert.ok(timeline);
        assert.equal(timeline.event, 'kpi.alert');
        assert.equal(timeline.timestamp, T0);
        assert.deepEqual(JSON.parse(timeline.payload.toString('utf8')).data, { value: 7 });
        assert.equal(timeline.totalDeliveries, 3);
        assert.deepEqual(timeline.deliveries.map((d) => `${d.webhookId}#${d.attempt}:${d.status}`).sort(), [
          'wh_alerts#1:pending',
          'wh_all#1:failed',
          'wh_all#2:pending',
        ]);
        const ids = timeline.deliveries.map((d) => fromPublicId(DELIVERY_PREFIX, d.id) ?? 0);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
        );

        const firstTwo = await store.getEventTimeline('tenant_a', 'evt_1', 2);
        assert.equal(firstTwo?.deliveries.length, 2);
        assert.equal(firstTwo?.totalDeliveries, 3);
        assert.equal(await store.getEventTimeline('tenant_b', 'evt_1', 10), null);
        assert.equal(await store.getEventTimeline('tenant_a', 'evt_missing', 10), null);
      });

      it('shows one delivery with its payload, and resends it as a new first attempt', async () => {
        await store.publishEvents([event('tenant_a', 'evt_1', 'ingestion.completed', { rows: 3 })], T0);
        const [c] = await claim(T0);
        assert.ok(c);
        await store.completeDeliveries([outcome(c, 'succeeded', T0 + 3)], T0 + 3);
        const detail = await store.getDelivery('tenant_a', c.id);
        assert.ok(detail);
        assert.equal(detail.status, 'succeeded');
        assert.equal(detail.statusCode, 200);
        assert.deepEqual(JSON.parse(detail.payload.toString()).data, { rows: 3 });
        assert.equal(detail.eventTimestamp, T0);
        assert.deepEqual(
          detail.requestHeaders,
          { 'webhook-signature': 'v1,succeeded' },
          'as the attempt sent them',
        );
        assert.equal(await store.getDelivery('tenant_b', c.id), null);
        assert.equal(await store.getDelivery('tenant_a', 'dlv_999999'), null);
        assert.equal(await store.getDelivery('tenant_a', 'nonsense'), null);

        assert.equal(await store.resendDelivery('tenant_b', c.id, T0 + 10), null);
        const resent = await store.resendDelivery('tenant_a', c.id, T0 + 10);
        assert.ok(resent);
        assert.notEqual(resent.id, c.id);
        assert.deepEqual(
          [resent.status, resent.attempt, resent.trigger, resent.eventId, resent.webhookId, resent.timestamp],
          ['pending', 1, 'resend', 'evt_1', c.webhookId, T0 + 10],
        );
        const [again] = await claim(T0 + 10);
        assert.equal(again?.id, resent.id);
        assert.deepEqual(again?.payload, c.payload);
        assert.equal((await store.getDelivery('tenant_a', resent.id))?.requestHeaders, null, 'not sent yet');
      });

      it('starts a test delivery already leased to the caller', async () => {
        const test = event('tenant_a', 'evt_test', 'webhook.test');
        const claimed = await store.startTestDelivery(
          test,
          'wh_alerts',
          { owner: 'api', until: T0 + LEASE_MS },
          T0,
        );
        assert.equal(claimed.trigger, 'test');
        assert.equal(claimed.webhookId, 'wh_alerts');
        assert.equal(claimed.url, 'http://127.0.0.1:9/wh_alerts');
        assert.equal((await claim(T0)).length, 0, 'nobody else claims it');
        assert.equal(await store.completeDeliveries([outcome(claimed, 'succeeded', T0 + 1)], T0 + 1), 1);
        const [row] = await store.listDeliveries('tenant_a', 'wh_alerts', { limit: 5 });
        assert.equal(row?.trigger, 'test');
        assert.equal(row?.status, 'succeeded');
      });

      it('never lets a worker claim a test delivery; one whose sender went away ends as failed', async () => {
        const test = event('tenant_a', 'evt_lost_test', 'webhook.test');
        await store.startTestDelivery(test, 'wh_alerts', { owner: 'api', until: T0 + LEASE_MS }, T0);
        const afterLease = T0 + LEASE_MS + 1;
        assert.deepEqual(await claim(afterLease), [], 'not even once its lease ran out');
        assert.equal(await store.nextDueAt(), null, 'nor waited for');
        assert.deepEqual(await store.tidyQueue(afterLease), { changed: 1, nextDueAt: null });
        const [row] = await store.listDeliveries('tenant_a', 'wh_alerts', { limit: 5 });
        assert.deepEqual([row?.status, row?.trigger, row?.nextAttemptAt], ['failed', 'test', null]);
        assert.match(row?.error ?? '', /^no outcome: the process sending this test stopped/);
        assert.equal((await store.tidyQueue(afterLease)).changed, 0);
      });

      it('replays dead letters one by one or all at once, only to active webhooks', async () => {
        await store.publishEvents(
          [event('tenant_a', 'evt_1', 'kpi.alert'), event('tenant_a', 'evt_2', 'ingestion.completed')],
          T0,
        );
        const claimed = await claim(T0);
        assert.equal(claimed.length, 4);
        await store.completeDeliveries(
          claimed.map((c) => outcome(c, 'dead', T0 + 1)),
          T0 + 1,
        );
        const letters = await store.listDeadLetters('tenant_a', { limit: 10, includePayload: true });
        assert.equal(letters.length, 4);
        assert.ok(letters.every((l) => l.payload && l.payload.length > 0));
        const page = await store.listDeadLetters('tenant_a', { limit: 3 });
        const rest = await store.listDeadLetters('tenant_a', { limit: 3, before: page[2]?.id });
        assert.equal(page.length + rest.length, 4);
        assert.deepEqual(await store.listDeadLetters('tenant_b', { limit: 10 }), []);
        const forAll = await store.listDeadLetters('tenant_a', { limit: 10, webhookId: 'wh_all' });
        assert.equal(forAll.length, 2);

        const one = forAll[0];
        assert.ok(one);
        const fetched = await store.getDeadLetter('tenant_a', one.id);
        assert.equal(
          fetched?.payload?.toString(),
          claimed.find((c) => c.eventId === one.eventId)?.payload.toString(),
        );
        assert.equal(await store.getDeadLetter('tenant_b', one.id), null);
        assert.deepEqual(await store.replayDeadLetters('tenant_b', { ids: [one.id] }, T0 + 2, 10), []);
        const replayedOne = await store.replayDeadLetters('tenant_a', { ids: [one.id] }, T0 + 2, 10);
        assert.equal(replayedOne.length, 1);
        assert.equal(await store.getDeadLetter('tenant_a', one.id), null);

        const ingest = await store.getWebhook('tenant_a', 'wh_ingest');
        assert.ok(ingest);
        await store.updateWebhook({ ...ingest, status: 'disabled' });
        const firstChunk = await store.replayDeadLetters('tenant_a', {}, T0 + 3, 1);
        assert.equal(firstChunk.length, 1, 'a replay queues at most its limit');
        const secondChunk = await store.replayDeadLetters('tenant_a', {}, T0 + 3, 10);
        assert.equal(secondChunk.length, 1, 'the disabled webhook keeps its dead letter');
        assert.deepEqual(
          (await store.listDeadLetters('tenant_a', { limit: 10 })).map((l) => l.webhookId),
          ['wh_ingest'],
        );
        const fresh = await claim(T0 + 3);
        assert.equal(fresh.length, 3);
        assert.ok(fresh.every((c) => c.attempt === 1 && c.trigger === 'replay'));
      });

      it('finds dead letters by webhook, event type and time, with their last attempt and counts', async () => {
        await store.publishEvents(
          [event('tenant_a', 'evt_1', 'kpi.alert'), event('tenant_a', 'evt_2', 'ingestion.completed')],
          T0,
        );
        const claimed = await claim(T0);
        const allAlert = claimed.find((c) => c.webhookId === 'wh_all' && c.eventId === 'evt_1');
        assert.ok(allAlert);
        const early = claimed.filter((c) => c !== allAlert);
        await store.completeDeliveries(
          [...early.map((c) => outcome(c, 'dead', T0 + 1)), outcome(allAlert, 'retry', T0 + 1, T0 + HOUR)],
          T0 + 1,
        );
        const [retry] = await claim(T0 + HOUR);
        assert.ok(retry);
        await store.completeDeliveries([outcome(retry, 'dead', T0 + HOUR)], T0 + HOUR);

        const ids = async (query: Parameters<Store['listDeadLetters']>[1]) =>
          (await store.listDeadLetters('tenant_a', query)).map((l) => `${l.webhookId}/${l.eventId}`);
        assert.deepEqual(await ids({ limit: 10, event: 'kpi.alert' }), ['wh_all/evt_1', 'wh_alerts/evt_1']);
        assert.deepEqual(await ids({ limit: 10, failedFrom: T0 + HOUR }), ['wh_all/evt_1']);
        assert.deepEqual(await ids({ limit: 10, failedBefore: T0 + HOUR, webhookId: 'wh_all' }), [
          'wh_all/evt_2',
        ]);
        assert.deepEqual(await ids({ limit: 10, event: 'no.such.type' }), []);

        const [latest] = await store.listDeadLetters('tenant_a', { limit: 1 });
        assert.ok(latest);
        assert.deepEqual(latest.lastAttempt, { deliveryId: retry.id, statusCode: 500 }, 'no body in lists');
        assert.deepEqual((await store.getDeadLetter('tenant_a', latest.id))?.lastAttempt, {
          deliveryId: retry.id,
          statusCode: 500,
          responseBody: 'boom',
        });
        const attempts = await store.deadLetterAttempts('tenant_a', latest.id);
        assert.deepEqual(
          attempts?.map((a) => [a.id, a.attempt, a.status]),
          [
            [allAlert.id, 1, 'failed'],
            [retry.id, 2, 'failed'],
          ],
        );
        assert.equal(await store.deadLetterAttempts('tenant_b', latest.id), null, 'not its letter');

        const ingest = await store.getWebhook('tenant_a', 'wh_ingest');
        assert.ok(ingest);
        await store.updateWebhook({ ...ingest, status: 'disabled', disabledReason: 'HTTP 410 Gone' });
        const counts = await store.countDeadLetters('tenant_a', {});
        assert.deepEqual(
          counts.map((c) => [c.webhookId, c.count, c.webhookStatus, c.disabledReason]),
          [
            ['wh_all', 2, 'active', null],
            ['wh_alerts', 1, 'active', null],
            ['wh_ingest', 1, 'disabled', 'HTTP 410 Gone'],
          ],
        );
        assert.equal(counts[0]?.url, 'http://127.0.0.1:9/wh_all');
        assert.deepEqual(
          (await store.countDeadLetters('tenant_a', { ids: [latest.id, 'dlq_garbage'] })).map((c) => c.count),
          [1],
        );
        assert.deepEqual(await store.countDeadLetters('tenant_b', {}), []);
      });

      it('shows replays under way until they succeed or fail back into the DLQ', async () => {
        await store.publishEvents(
          [event('tenant_a', 'evt_1', 'kpi.alert'), event('tenant_a', 'evt_2', 'ingestion.completed')],
          T0,
        );
        await store.completeDeliveries(
          (await claim(T0)).map((c) => outcome(c, 'dead', T0 + 1)),
          T0 + 1,
        );
        const replayed = await store.replayDeadLetters('tenant_a', { event: 'kpi.alert' }, T0 + 2, 10);
        assert.equal(replayed.length, 2, 'only the kpi.alert letters');
        assert.deepEqual(
          (await store.listDeadLetters('tenant_a', { limit: 10 })).map((l) => l.event),
          ['ingestion.completed', 'ingestion.completed'],
        );
        const replays = await store.listReplays('tenant_a', { limit: 1 });
        assert.equal(replays.total, 2);
        assert.deepEqual(
          replays.deliveries.map((d) => [d.id, d.trigger, d.status]),
          [[replayed[1], 'replay', 'pending']],
        );
        assert.equal((await store.listReplays('tenant_a', { limit: 10, webhookId: 'wh_alerts' })).total, 1);
        assert.equal((await store.listReplays('tenant_b', { limit: 10 })).total, 0);

        const [first, second] = await claim(T0 + 2);
        assert.ok(first && second);
        await store.completeDeliveries(
          [outcome(first, 'succeeded', T0 + 3), outcome(second, 'retry', T0 + 3, T0 + HOUR)],
          T0 + 3,
        );
        const stillGoing = await store.listReplays('tenant_a', { limit: 10 });
        assert.deepEqual(
          [stillGoing.total, stillGoing.deliveries[0]?.attempt],
          [1, 2],
          'a retry of a replay is still the replay',
        );
        const [again] = await claim(T0 + HOUR);
        assert.ok(again);
        await store.completeDeliveries([outcome(again, 'dead', T0 + HOUR)], T0 + HOUR);
        assert.equal((await store.listReplays('tenant_a', { limit: 10 })).total, 0);
        assert.equal((await store.listDeadLetters('tenant_a', { limit: 10, event: 'kpi.alert' })).length, 1);
      });

      it('discards dead letters of one event type only', async () => {
        await store.publishEvents(
          [event('tenant_a', 'evt_1', 'kpi.alert'), event('tenant_a', 'evt_2', 'ingestion.completed')],
          T0,
        );
        await store.completeDeliveries(
          (await claim(T0)).map((c) => outcome(c, 'dead', T0 + 1)),
          T0 + 1,
        );
        assert.equal(await store.discardDeadLetters('tenant_a', { event: 'ingestion.completed' }, 10), 2);
        assert.deepEqual(
          (await store.listDeadLetters('tenant_a', { limit: 10 })).map((l) => l.event),
          ['kpi.alert', 'kpi.alert'],
        );
      });

      it('deletes a webhook with its queue, history and dead letters', async () => {
        await store.publishEvents([event('tenant_a', 'evt_1', 'kpi.alert')], T0);
        const claimed = await claim(T0);
        const alerts = claimed.find((c) => c.webhookId === 'wh_alerts');
        assert.ok(alerts);
        await store.completeDeliveries([outcome(alerts, 'dead', T0 + 1)], T0 + 1);
        await store.publishEvents([event('tenant_a', 'evt_2', 'kpi.alert')], T0 + 2);
        assert.equal(await store.deleteWebhook('tenant_a', 'wh_alerts'), true);
        assert.deepEqual(
          (await claim(T0 + 2)).map((c) => c.webhookId),
          ['wh_all'],
        );
        assert.deepEqual(await store.listDeadLetters('tenant_a', { limit: 10 }), []);
        // Its rows go in the background, a chunk at a time, after the deletion has answered.
        let chunks = 0;
        while ((await store.purgeDeletedWebhooks()) !== null) chunks += 1;
        assert.equal(chunks, 1);
        assert.deepEqual(await store.listDeliveries('tenant_a', 'wh_alerts', { limit: 10 }), []);
      });
    });

    describe('ordered webhooks', () => {
      beforeEach(async () => {
        await seedTenant('tenant_a');
        await store.createWebhook(webhook('tenant_a', 'wh_fifo', { ordering: 'fifo' }));
      });

      /** The claimable deliveries now: at most one of an ordered webhook. */
      async function next(at: number): Promise<ClaimedDelivery[]> {
        return claim(at);
      }

      it('keeps one delivery open at a time, in the order queued; a retry keeps its turn', async () => {
        await store.publishEvents([event('tenant_a', 'evt_1'), event('tenant_a', 'evt_2')], T0);
        await store.publishEvents([event('tenant_a', 'evt_3')], T0 + 1);
        const [first, ...none] = await next(T0 + 1);
        assert.deepEqual([first?.eventId, none.length], ['evt_1', 0]);
        assert.deepEqual(await next(T0 + 1), [], 'nothing else while the first is out');
        await store.completeDeliveries([outcome(first as ClaimedDelivery, 'succeeded', T0 + 2)], T0 + 2);

        const [second] = await next(T0 + 2);
        assert.equal(second?.eventId, 'evt_2');
        await store.completeDeliveries(
          [outcome(second as ClaimedDelivery, 'retry', T0 + 3, T0 + 60_000)],
          T0 + 3,
        );
        assert.deepEqual(await next(T0 + 3), [], 'the third waits for the retry of the second');
        assert.equal(await store.nextDueAt(), T0 + 60_000);
        const [retry] = await next(T0 + 60_000);
        assert.deepEqual([retry?.eventId, retry?.attempt], ['evt_2', 2]);
        await store.completeDeliveries([outcome(retry as ClaimedDelivery, 'dead', T0 + 60_001)], T0 + 60_001);

        const [third] = await next(T0 + 60_001);
        assert.equal(third?.eventId, 'evt_3', 'a dead letter ends its turn');
        const pending = await store.listDeliveries('tenant_a', 'wh_fifo', { limit: 10, status: 'pending' });
        assert.equal(pending.length, 1);
      });

      it('queues resends and replays behind what waits', async () => {
        await store.publishEvents([event('tenant_a', 'evt_1'), event('tenant_a', 'evt_2')], T0);
        const [first] = await next(T0);
        await store.completeDeliveries([outcome(first as ClaimedDelivery, 'dead', T0 + 1)], T0 + 1);
        const [letter] = await store.listDeadLetters('tenant_a', { limit: 1 });
        await store.replayDeadLetters('tenant_a', { ids: [letter?.id as string] }, T0 + 2, 10);
        const resent = await store.resendDelivery('tenant_a', first?.id as string, T0 + 2);
        assert.equal(resent?.nextAttemptAt, null, 'waiting its turn');
        const order: string[] = [];
        for (let at = T0 + 3; order.length < 3; at++) {
          const [open, ...more] = await next(at);
          assert.equal(more.length, 0);
          if (!open) break;
          order.push(`${open.eventId}/${open.trigger}`);
          await store.completeDeliveries([outcome(open, 'succeeded', at)], at);
        }
        assert.deepEqual(order, ['evt_2/event', 'evt_1/replay', 'evt_1/resend']);
      });

      it('opens every waiting delivery once a webhook is no longer ordered', async () => {
        await store.publishEvents(
          [1, 2, 3].map((n) => event('tenant_a', `evt_${n}`)),
          T0,
        );
        const fifo = (await store.getWebhook('tenant_a', 'wh_fifo')) as Webhook;
        await store.updateWebhook({ ...fifo, ordering: 'none' });
        assert.equal((await next(T0)).length, 1, 'only the open one, until they are unblocked');
        assert.equal((await store.tidyQueue(T0 + 1)).changed, 2);
        assert.equal((await next(T0 + 1)).length, 2);
        assert.equal((await store.tidyQueue(T0 + 2)).changed, 0);
      });
    });

    describe('big fan-outs', () => {
      beforeEach(async () => {
        await seedTenant('tenant_a');
        for (let i = 0; i < 150; i++) {
          const id = `wh_${String(i).padStart(3, '0')}`;
          await store.createWebhook(
            webhook('tenant_a', id, {
              events: i % 50 === 49 ? ['kpi.computed'] : [],
              ordering: i === 0 ? 'fifo' : 'none',
            }),
          );
        }
      });

      it('leaves an event with many subscribers to the background, which creates its deliveries in chunks', async () => {
        const woken: string[] = [];
        const unsubscribe = store.onBackgroundWorkQueued(() => woken.push('background'));
        const [published] = await store.publishEvents([event('tenant_a', 'evt_big', 'kpi.alert')], T0);
        assert.equal(published?.deliveries, 147, 'the subscribers counted at publish');
        assert.deepEqual(await claim(T0), [], 'nothing queued by the publish itself');
        await eventually(() => (woken.length > 0 ? true : undefined), 'the background told');
        unsubscribe();

        await store.createWebhook(webhook('tenant_a', 'wh_late', { createdAt: T0 + 1 }));
        const off = (await store.getWebhook('tenant_a', 'wh_001')) as Webhook;
        await store.updateWebhook({ ...off, status: 'disabled' });
        assert.equal(
          await store.expandFanouts(T0 + 2),
          146,
          'one chunk: active subscribers that existed then',
        );
        assert.equal(await store.expandFanouts(T0 + 2), null, 'nothing left');
        const claimed = await claim(T0 + 2, 1_000);
        assert.equal(claimed.length, 146);
        assert.equal(new Set(claimed.map((c) => c.webhookId)).size, 146);
        assert.ok(!claimed.some((c) => ['wh_late', 'wh_001', 'wh_049'].includes(c.webhookId)));
        assert.ok(
          claimed.some((c) => c.webhookId === 'wh_000'),
          'the ordered webhook opened its only one',
        );
      });

      /** Tenant B with 90 webhooks, and `count` events published to them in one flush. */
      async function publishToNinetyWebhooks(count: number): Promise<void> {
        await seedTenant('tenant_b');
        for (let i = 0; i < 90; i++) await store.createWebhook(webhook('tenant_b', `wh_b${i}`));
        const results = await store.publishEvents(
          Array.from({ length: count }, (_, i) => event('tenant_b', `evt_${i}`)),
          T0,
        );
        assert.ok(results.every((result) => result.deliveries === 90));
      }

      it('creates at most a thousand deliveries in one flush; later events go to the background', async () => {
        await publishToNinetyWebhooks(12);
        assert.equal((await claim(T0, 2_000)).length, 11 * 90, 'eleven events at once: 990 of at most 1,000');
        assert.equal(await store.expandFanouts(T0), 90, 'the twelfth in the background');
        assert.equal(await store.expandFanouts(T0), null);
      });

      it('expands small deferred fan-outs a chunk per step, across events', async () => {
        await publishToNinetyWebhooks(30);
        assert.equal((await claim(T0, 2_000)).length, 11 * 90, 'eleven inline');
        const steps: (number | null)[] = [];
        for (let step = 0; step < 10; step++) steps.push(await store.expandFanouts(T0));
        // 19 events × 90 = 1,710 deliveries: six full steps of 250 (an event split across two), then 210.
        assert.deepEqual(steps, [250, 250, 250, 250, 250, 250, 210, null, null, null]);
        const claimed = await claim(T0, 5_000);
        assert.equal(claimed.length, 19 * 90);
        assert.equal(new Set(claimed.map((c) => `${c.eventId}/${c.webhookId}`)).size, 19 * 90, 'none twice');
      });
    });

    describe('deleting a webhook', () => {
      it('answers at once and purges its rows in the background, a chunk at a time', async () => {
        await seedTenant('tenant_a');
        await store.createWebhook(webhook('tenant_a', 'wh_deep'));
        await store.createWebhook(webhook('tenant_a', 'wh_kept'));
        for (let batch = 0; batch < 6; batch++) {
          const events = Array.from({ length: 100 }, (_, i) => event('tenant_a', `evt_${batch}_${i}`));
          await store.publishEvents(events, T0);
        }
        assert.equal(await store.deleteWebhook('tenant_a', 'wh_deep'), true);
        assert.equal(await store.deleteWebhook('tenant_a', 'wh_deep'), false);
        assert.equal(await store.getWebhook('tenant_a', 'wh_deep'), null);
        const removed: (number | null)[] = [];
        for (let step = 0; step < 5 && removed.at(-1) !== null; step++)
          removed.push(await store.purgeDeletedWebhooks());
        assert.deepEqual(removed, [500, 100, null]);
        assert.equal(
          (await store.listDeliveries('tenant_a', 'wh_kept', { limit: 1_000 })).length,
          600,
          'others untouched',
        );
      });
    });

    describe('retention', () => {
      const DAY = 86_400_000;
      const CUTOFF = T0 + 10 * DAY;

      beforeEach(async () => {
        await seedTenant('tenant_a');
        await store.createWebhook(webhook('tenant_a', 'wh_a'));
        await store.createWebhook(webhook('tenant_a', 'wh_b'));
      });

      /** Publishes `ids` at `at` and gives each of their deliveries `verdict` a second later. */
      async function publishAndFinish(ids: string[], at: number, verdict: AttemptOutcome['verdict']) {
        await store.publishEvents(
          ids.map((id) => ({ ...event('tenant_a', id), timestamp: at })),
          at,
        );
        // A flush creates at most 1,000 deliveries itself; the background creates the rest.
        while ((await store.expandFanouts(at)) !== null);
        const claimed: ClaimedDelivery[] = [];
        for (let batch = await claim(at); batch.length > 0; batch = await claim(at)) {
          await store.completeDeliveries(
            batch.map((c) => outcome(c, verdict, at + 1_000, at + 100 * DAY)),
            at + 1_000,
          );
          claimed.push(...batch);
        }
        return claimed;
      }

      /** Runs a whole sweep as the background worker does; the rows each chunk removed. */
      async function sweep(cutoff: number): Promise<number[]> {
        const removed: number[] = [];
        let after = 0;
        for (let progress = await store.pruneHistory(cutoff, after); progress !== null; ) {
          removed.push(progress.removed);
          after = progress.after;
          progress = await store.pruneHistory(cutoff, after);
        }
        return removed;
      }

      it('prunes finished history older than the window, never what is queued, dead or recent', async () => {
        const [done] = await publishAndFinish(['evt_done'], T0, 'succeeded');
        const [dead] = await publishAndFinish(['evt_dead'], T0, 'dead');
        const [retrying] = await publishAndFinish(['evt_retrying'], T0, 'retry');
        const [resentLater] = await publishAndFinish(['evt_resent'], T0, 'succeeded');
        assert.ok(done && dead && retrying && resentLater);
        // A resend long after the publish keeps the event: its history is not cut in half.
        const resent = await store.resendDelivery('tenant_a', resentLater.id, CUTOFF + DAY);
        assert.ok(resent);
        // Delivers the resend too.
        const [recent] = await publishAndFinish(['evt_recent'], CUTOFF + DAY, 'succeeded');
        assert.ok(recent);

        const removed = await sweep(CUTOFF);
        assert.equal(
          removed.reduce((sum, n) => sum + n, 0),
          3 + 2,
          'the event published and delivered before the cutoff, with its two deliveries; the two webhooks’ hour of attempts then',
        );
        assert.equal(await store.getDelivery('tenant_a', done.id), null);
        assert.equal(
          (await store.getDelivery('tenant_a', dead.id))?.status,
          'failed',
          'its dead letter needs it',
        );
        assert.equal((await store.listDeadLetters('tenant_a', { limit: 10 })).length, 2);
        assert.equal((await store.getDelivery('tenant_a', retrying.id))?.status, 'failed');
        const queued = await store.listDeliveries('tenant_a', 'wh_a', { limit: 10, status: 'pending' });
        assert.deepEqual(
          queued.map((d) => d.eventId),
          ['evt_retrying'],
          'its retry is still queued',
        );
        assert.equal((await store.getDelivery('tenant_a', resentLater.id))?.status, 'succeeded');
        assert.equal((await store.getDelivery('tenant_a', recent.id))?.status, 'succeeded');
        assert.deepEqual(await sweep(CUTOFF), [0], 'a second sweep finds nothing more');
        // The id of a pruned event is free again: duplicates are caught within the window only.
        const [again] = await store.publishEvents([event('tenant_a', 'evt_done')], CUTOFF + DAY);
        assert.equal(again?.duplicate, false);
      });

      it('prunes the hourly attempt counts of hours older than the window with the history', async () => {
        await publishAndFinish(['evt_old'], T0, 'succeeded');
        await publishAndFinish(['evt_new'], CUTOFF + DAY, 'dead');
        const hoursOf = async () =>
          (await store.webhookAttemptStats('tenant_a', { since: 0 })).map((stats) => ({
            webhookId: stats.webhookId,
            hours: stats.hours.map((hour) => [hour.hour, hour.succeeded, hour.failed]),
          }));
        const oldHour = T0 - (T0 % 3_600_000);
        const newHour = CUTOFF + DAY - ((CUTOFF + DAY) % 3_600_000);
        const both = [
          [oldHour, 1, 0],
          [newHour, 0, 1],
        ];
        assert.deepEqual(await hoursOf(), [
          { webhookId: 'wh_a', hours: both },
          { webhookId: 'wh_b', hours: both },
        ]);

        const removed = await sweep(CUTOFF);
        assert.equal(
          removed.reduce((sum, n) => sum + n, 0),
          3 + 2,
          'the old event and its two deliveries, then the two webhooks’ old hours',
        );
        assert.deepEqual(await hoursOf(), [
          { webhookId: 'wh_a', hours: [[newHour, 0, 1]] },
          { webhookId: 'wh_b', hours: [[newHour, 0, 1]] },
        ]);
        const [latest] = await store.webhookAttemptStats('tenant_a', { since: 0, webhookId: 'wh_a' });
        assert.equal(latest?.lastSuccessAt, null, 'the only success was in a pruned hour');
        assert.equal(latest?.lastFailureAt, CUTOFF + DAY + 1_000);
        assert.deepEqual(await sweep(CUTOFF), [], 'a second sweep finds nothing more');
      });

      it('discards dead letters by id, webhook and time; their history then ages out', async () => {
        await publishAndFinish(['evt_1', 'evt_2'], T0, 'dead');
        await publishAndFinish(['evt_3'], T0 + DAY, 'dead');
        const letters = await store.listDeadLetters('tenant_a', { limit: 10 });
        const letter = (eventId: string, webhookId: string) => {
          const found = letters.find((l) => l.eventId === eventId && l.webhookId === webhookId);
          assert.ok(found);
          return found;
        };
        const one = letter('evt_1', 'wh_b');

        assert.equal(await store.discardDeadLetters('tenant_b', { ids: [one.id] }, 10), 0, 'not its letter');
        assert.equal(await store.discardDeadLetters('tenant_a', { ids: ['garbage'] }, 10), 0);
        assert.equal(await store.discardDeadLetters('tenant_a', { ids: [one.id] }, 10), 1);
        assert.equal(await store.getDeadLetter('tenant_a', one.id), null);
        assert.equal(await store.discardDeadLetters('tenant_a', { ids: [one.id] }, 10), 0, 'gone already');
        assert.equal(
          await store.discardDeadLetters('tenant_a', { webhookId: 'wh_a', failedBefore: T0 + DAY }, 10),
          2,
        );
        const recent = { failedFrom: T0 + DAY };
        assert.deepEqual(
          [
            await store.discardDeadLetters('tenant_a', recent, 1),
            await store.discardDeadLetters('tenant_a', recent, 1),
            await store.discardDeadLetters('tenant_a', recent, 1),
          ],
          [1, 1, 0],
          'at most `limit` at a time',
        );
        const left = await store.listDeadLetters('tenant_a', { limit: 10 });
        assert.deepEqual(
          left.map((l) => l.id),
          [letter('evt_2', 'wh_b').id],
        );

        const removed = await sweep(CUTOFF);
        assert.equal(
          removed.reduce((sum, n) => sum + n, 0),
          6 + 4,
          'evt_1 and evt_3 with their two deliveries each (evt_2 keeps its dead letter); the two webhooks’ two hours of attempts',
        );
        assert.deepEqual(
          (await store.listDeliveries('tenant_a', 'wh_b', { limit: 10 })).map((d) => d.eventId),
          ['evt_2'],
        );
      });

      it('goes a bounded chunk per call and stops at the first event inside the window', async () => {
        const ids = Array.from({ length: 600 }, (_, i) => `evt_${i}`);
        assert.equal((await publishAndFinish(ids, T0, 'succeeded')).length, 1_200);
        await publishAndFinish(['evt_recent'], CUTOFF, 'succeeded');
        await publishAndFinish(['evt_old_again'], T0, 'succeeded');

        const removed = await sweep(CUTOFF);
        assert.ok(removed.length >= 3, `1,200 deliveries take three chunks or more, took ${removed.length}`);
        assert.ok(
          removed.every((n) => n <= 2 * 500),
          `each chunk deletes at most 500 deliveries and 500 events: ${removed}`,
        );
        assert.equal(
          removed.reduce((sum, n) => sum + n, 0),
          1_800 + 2,
          '600 events and their 1,200 deliveries; the two webhooks’ hour of attempts (whole hours go by the window)',
        );
        assert.deepEqual(
          (await store.listDeliveries('tenant_a', 'wh_a', { limit: 10 })).map((d) => d.eventId),
          ['evt_old_again', 'evt_recent'],
          'the event published inside the window stops the sweep: the old one after it waits',
        );
        assert.deepEqual(
          await sweep(CUTOFF + DAY),
          [6, 2],
          'both, once the window has moved past them; then the hour of evt_recent’s attempts',
        );
      });
    });

    describe('deleting a tenant', () => {
      it('refuses a webhook or key for a tenant deleted since the route checked it: TENANT_NOT_FOUND', async () => {
        await seedTenant('tenant_a');
        assert.equal(await store.deleteTenant('tenant_a'), true);
        const tenantGone = (error: unknown) =>
          error instanceof HeraldError && error.code === 'TENANT_NOT_FOUND';
        await assert.rejects(store.createWebhook(webhook('tenant_a', 'wh_late')), tenantGone);
        await assert.rejects(
          store.createWebhook(webhook('tenant_a', 'wh_late'), { maxWebhooks: 10 }),
          tenantGone,
          'within a limit too',
        );
        await assert.rejects(store.createApiKey(apiKey('key_late', 'tenant_a'), 'hash-late'), tenantGone);
      });

      it('removes it with its keys and webhooks at once, and its rows in the background', async () => {
        await seedTenant('tenant_a');
        await seedTenant('tenant_b');
        await store.createApiKey(apiKey('key_a', 'tenant_a'), 'hash-a');
        await store.createApiKey(apiKey('key_b', 'tenant_b'), 'hash-b');
        await store.createWebhook(webhook('tenant_a', 'wh_a1'));
        await store.createWebhook(webhook('tenant_a', 'wh_a2'));
        await store.createWebhook(webhook('tenant_b', 'wh_b'));
        for (let batch = 0; batch < 6; batch++) {
          await store.publishEvents(
            Array.from({ length: 100 }, (_, i) => event('tenant_a', `evt_${batch}_${i}`)),
            T0,
          );
        }
        await store.publishEvents([event('tenant_b', 'evt_b')], T0);
        let announced = 0;
        const unsubscribe = store.onCredentialsChanged(() => {
          announced += 1;
        });

        assert.equal(await store.deleteTenant('tenant_a'), true);
        assert.ok(announced >= 1, 'authenticators hear of it');
        assert.equal(await store.deleteTenant('tenant_a'), false);
        assert.equal(await store.getTenant('tenant_a'), null);
        assert.deepEqual(
          (await store.listTenants()).map((tenant) => tenant.id),
          ['tenant_b'],
        );
        assert.equal(await store.findApiKeyByHash('hash-a'), null);
        assert.deepEqual(await store.listApiKeys('tenant_a'), []);
        assert.deepEqual(await store.listWebhooks('tenant_a', { limit: 10 }), []);
        assert.deepEqual(await claim(T0 + 1, 100, ['wh_b']), [], 'nothing of it is sent any more');
        await assert.rejects(
          store.createTenant({ id: 'tenant_a', name: 'again', createdAt: T0 }),
          (error: unknown) => error instanceof HeraldError && error.code === 'TENANT_EXISTS',
          'its id stays taken until its rows are gone',
        );

        const webhookChunks: (number | null)[] = [];
        while (webhookChunks.at(-1) !== null) webhookChunks.push(await store.purgeDeletedWebhooks());
        assert.deepEqual(webhookChunks, [500, 100, 500, 100, null], 'each webhook a chunk at a time');
        const eventChunks: (number | null)[] = [];
        while (eventChunks.at(-1) !== null) eventChunks.push(await store.purgeDeletedTenants());
        assert.deepEqual(eventChunks, [500 + 500, 100 + 100, null], 'its events and their remembered ids');

        await store.createTenant({ id: 'tenant_a', name: 'again', createdAt: T0 });
        const [republished] = await store.publishEvents([event('tenant_a', 'evt_0_0')], T0);
        assert.equal(republished?.duplicate, false, 'a new tenant of that id starts with no events');
        assert.ok(await store.findApiKeyByHash('hash-b'), 'other tenants untouched');
        assert.equal((await store.listDeliveries('tenant_b', 'wh_b', { limit: 10 })).length, 1);
        unsubscribe();
      });
    });

    describe('webhook attempt stats', () => {
      beforeEach(async () => {
        await seedTenant('tenant_a');
        await seedTenant('tenant_b');
        await store.createWebhook(webhook('tenant_a', 'wh_a'));
        await store.createWebhook(webhook('tenant_a', 'wh_b'));
        await store.createWebhook(webhook('tenant_b', 'wh_other'));
      });

      /** One attempt of a fresh event to each webhook named, all with the same verdict, recorded at `at`. */
      async function attempt(
        tenantId: string,
        webhookIds: string[],
        at: number,
        verdict: AttemptOutcome['verdict'],
        responseTimeMs = 12,
      ): Promise<void> {
        await store.publishEvents([event(tenantId, `evt_${tenantId}_${at}_${verdict}`)], at);
        const claimed = (await claim(at)).filter((c) => webhookIds.includes(c.webhookId));
        assert.equal(claimed.length, webhookIds.length);
        const outcomes = claimed.map((c) => ({
          ...outcome(c, verdict, at, at + 86_400_000),
          responseTimeMs,
        }));
        assert.equal(await store.completeDeliveries(outcomes, at), webhookIds.length);
      }

      it("counts each webhook's attempts by hour with its latest success and failure", async () => {
        const hourOfT0 = T0 - (T0 % HOUR);
        await attempt('tenant_a', ['wh_a', 'wh_b'], T0, 'succeeded', 10);
        await attempt('tenant_a', ['wh_a', 'wh_b'], T0 + 60_000, 'retry', 30);
        await attempt('tenant_a', ['wh_a'], T0 + HOUR, 'dead', 50);
        await attempt('tenant_b', ['wh_other'], T0 + HOUR, 'succeeded');

        const stats = await store.webhookAttemptStats('tenant_a', { since: hourOfT0 });
        assert.deepEqual(stats, [
          {
            webhookId: 'wh_a',
            hours: [
              { hour: hourOfT0, succeeded: 1, failed: 1, responseMs: 40 },
              { hour: hourOfT0 + HOUR, succeeded: 0, failed: 1, responseMs: 50 },
            ],
            lastSuccessAt: T0,
            lastFailureAt: T0 + HOUR,
          },
          {
            webhookId: 'wh_b',
            hours: [{ hour: hourOfT0, succeeded: 1, failed: 1, responseMs: 40 }],
            lastSuccessAt: T0,
            lastFailureAt: T0 + 60_000,
          },
        ]);

        const later = await store.webhookAttemptStats('tenant_a', {
          since: hourOfT0 + HOUR,
          webhookId: 'wh_a',
        });
        assert.deepEqual(
          later,
          [
            {
              webhookId: 'wh_a',
              hours: [{ hour: hourOfT0 + HOUR, succeeded: 0, failed: 1, responseMs: 50 }],
              lastSuccessAt: T0,
              lastFailureAt: T0 + HOUR,
            },
          ],
          'older hours are left out, the latest success is not',
        );
        assert.deepEqual(
          await store.webhookAttemptStats('tenant_a', { since: hourOfT0, webhookId: 'wh_other' }),
          [],
          "another tenant's webhook is not this tenant's to read",
        );
      });

      it('lists a webhook without attempts with no hours, and ignores outcomes whose lease was lost', async () => {
        await store.publishEvents([event('tenant_a', 'evt_lost')], T0);
        const [claimed] = (await claim(T0)).filter((c) => c.webhookId === 'wh_a');
        const lost = { ...outcome(claimed as ClaimedDelivery, 'succeeded', T0), lease: 'someone-else' };
        assert.equal(await store.completeDeliveries([lost], T0), 0);
        assert.deepEqual(await store.webhookAttemptStats('tenant_a', { since: 0 }), [
          { webhookId: 'wh_a', hours: [], lastSuccessAt: null, lastFailureAt: null },
          { webhookId: 'wh_b', hours: [], lastSuccessAt: null, lastFailureAt: null },
        ]);
      });

      it("forgets a deleted webhook's stats with its history", async () => {
        await attempt('tenant_a', ['wh_a'], T0, 'succeeded');
        assert.equal(await store.deleteWebhook('tenant_a', 'wh_a'), true);
        while ((await store.purgeDeletedWebhooks()) !== null);
        await store.createWebhook(webhook('tenant_a', 'wh_a'));
        const [stats] = await store.webhookAttemptStats('tenant_a', { since: 0, webhookId: 'wh_a' });
        assert.deepEqual(stats, { webhookId: 'wh_a', hours: [], lastSuccessAt: null, lastFailureAt: null });
      });
    });

    describe('webhook health', () => {
      beforeEach(async () => {
        await seedTenant('tenant_a');
        await store.createWebhook(webhook('tenant_a', 'wh_flaky', { events: ['kpi.alert'] }));
        await store.createWebhook(webhook('tenant_a', 'wh_watcher', { events: ['webhook.disabled'] }));
        await store.createWebhook(webhook('tenant_a', 'wh_deaf', { events: ['kpi.alert'] }));
      });

      async function attempt(at: number, verdict: AttemptOutcome['verdict']): Promise<void> {
        await store.publishEvents([event('tenant_a', `evt_${at}`, 'kpi.alert')], at);
        const claimed = (await claim(at)).filter((c) => c.webhookId === 'wh_flaky');
        assert.equal(claimed.length, 1);
        const retryFarAway = at + 86_400_000;
        await store.completeDeliveries(
          [outcome(claimed[0] as ClaimedDelivery, verdict, at + 1, retryFarAway)],
          at + 1,
        );
      }

      it("starts a webhook's failure clock at its first failure and stops it at a success", async () => {
        await attempt(T0, 'retry');
        assert.equal((await store.getWebhook('tenant_a', 'wh_flaky'))?.failingSince, T0 + 1);
        await attempt(T0 + 10, 'retry');
        assert.equal(
          (await store.getWebhook('tenant_a', 'wh_flaky'))?.failingSince,
          T0 + 1,
          'still the first',
        );
        assert.deepEqual(
          (await store.listWebhooksFailingSince(T0 + 1, 10)).map((w) => w.id),
          ['wh_flaky'],
        );
        assert.deepEqual(await store.listWebhooksFailingSince(T0, 10), [], 'not failing since before T0 + 1');
        await attempt(T0 + 20, 'succeeded');
        assert.equal((await store.getWebhook('tenant_a', 'wh_flaky'))?.failingSince, null);
        assert.deepEqual(await store.listWebhooksFailingSince(T0 + 100, 10), []);
      });

      it('restarts the failure clock when a person enables the webhook again', async () => {
        await attempt(T0, 'dead');
        const failing = (await store.getWebhook('tenant_a', 'wh_flaky')) as Webhook;
        await store.updateWebhook({ ...failing, status: 'disabled' });
        assert.equal((await store.getWebhook('tenant_a', 'wh_flaky'))?.failingSince, T0 + 1);
        await store.updateWebhook({ ...failing, status: 'active' });
        assert.equal((await store.getWebhook('tenant_a', 'wh_flaky'))?.failingSince, null);
      });

      it('disables a webhook with its reason and tells the subscribers of webhook.disabled, once', async () => {
        const notice = event('tenant_a', 'evt_notice', 'webhook.disabled', { webhookId: 'wh_flaky' });
        assert.equal(await store.disableWebhook('tenant_a', 'wh_flaky', 'HTTP 410', notice, T0 + 5), true);
        const disabled = await store.getWebhook('tenant_a', 'wh_flaky');
        assert.equal(disabled?.status, 'disabled');
        assert.equal(disabled?.disabledReason, 'HTTP 410');
        assert.equal(disabled?.updatedAt, T0 + 5);
        const told = await claim(T0 + 5);
        assert.deepEqual(
          told.map((c) => [c.webhookId, c.eventId, c.event]),
          [['wh_watcher', 'evt_notice', 'webhook.disabled']],
        );
        const again = event('tenant_a', 'evt_notice_2', 'webhook.disabled');
        assert.equal(await store.disableWebhook('tenant_a', 'wh_flaky', 'again', again, T0 + 6), false);
        assert.equal((await store.getWebhook('tenant_a', 'wh_flaky'))?.disabledReason, 'HTTP 410');
        assert.deepEqual(await claim(T0 + 6), [], 'no second notice');
        assert.equal(await store.disableWebhook('tenant_b', 'wh_deaf', 'not yours', again, T0 + 6), false);
      });
    });
  });
}
