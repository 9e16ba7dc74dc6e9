import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_BACKENDS } from '../support/backends.js';
import { type ApiResponse, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const DOCUMENTED_ORDER = [
  'ingestion.completed',
  'ingestion.failed',
  'kpi.computed',
  'kpi.alert',
  'analysis.completed',
  'dashboard.ready',
  'webhook.test',
  'webhook.disabled',
];

const INVOICE_SCHEMA = {
  type: 'object',
  properties: {
    invoiceId: { type: 'string' },
    amount: { type: 'number', minimum: 0 },
    lines: {
      type: 'array',
      items: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
    },
  },
  required: ['invoiceId', 'amount'],
};

function assertError(response: ApiResponse, status: number, code: string, message?: RegExp): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body?.error?.code, code, JSON.stringify(response.body));
  if (message) assert.match(response.body.error.message, message);
}

for (const backend of TEST_BACKENDS) {
  describe(`event catalogue with schemas (${backend})`, () => {
    const tenant = '/v1/tenants/tenant_cat';
    let herald: TestHerald;
    let receiver: Receiver;
    let tenantKey: string;

    before(async () => {
      herald = await startTestHerald(backend);
      receiver = await new Receiver().start();
      assert.equal(
        (await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_cat', name: 'Cat' } })).status,
        201,
      );
      tenantKey = (await herald.call('POST', `${tenant}/api-keys`, { body: { name: 'ci' } })).body.key;
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    it("lists the documentation's types in its order, each with a schema and an example", async () => {
      const list = await herald.call('GET', '/v1/event-types', { key: tenantKey });
      assert.equal(list.status, 200);
      const names = list.body.data.map((type: { name: string }) => type.name);
      assert.deepEqual(names.slice(0, DOCUMENTED_ORDER.length), DOCUMENTED_ORDER);
      const completed = await herald.call('GET', '/v1/event-types/ingestion.completed', { key: tenantKey });
      assert.equal(completed.status, 200);
      assert.deepEqual(completed.body, {
        name: 'ingestion.completed',
        description: 'A data ingestion job finishes',
        schema: completed.body.schema,
        example: { jobId: 'job_xyz', table: 'sales_data', rowsIngested: 15234, duration: 3200 },
        enforceSchema: false,
        subscribable: true,
        sentByHerald: false,
      });
      assert.equal(completed.body.schema.properties.rowsIngested.type, 'integer');
      const test = list.body.data.find((type: { name: string }) => type.name === 'webhook.test');
      assert.deepEqual([test.subscribable, test.sentByHerald], [false, true]);
      assertError(await herald.call('GET', '/v1/event-types/invoice.nothing'), 404, 'EVENT_TYPE_NOT_FOUND');
    });

    it('keeps a definition consistent: the schema compiles, the example matches it, enforcement needs it', async () => {
      assertError(
        await herald.call('POST', '/v1/event-types', {
          body: {
            name: 'invoice.bad_example',
            schema: INVOICE_SCHEMA,
            example: { invoiceId: 'in_1', amount: 'ten' },
          },
        }),
        422,
        'VALIDATION_FAILED',
        /^body\.example\.amount must be a number: the example must match the schema\.$/,
      );
      assertError(
        await herald.call('POST', '/v1/event-types', {
          body: {
            name: 'invoice.bad_schema',
            schema: { type: 'object', properties: { a: { type: 'nonsense' } } },
          },
        }),
        422,
        'VALIDATION_FAILED',
        /^body\.schema is not a JSON Schema \(draft-07\) Herald can use/,
      );
      assertError(
        await herald.call('POST', '/v1/event-types', {
          body: { name: 'invoice.unchecked', enforceSchema: true },
        }),
        422,
        'VALIDATION_FAILED',
        /^body\.enforceSchema needs a schema/,
      );
      const tenantTry = await herald.call('POST', '/v1/event-types', {
        key: tenantKey,
        body: { name: 'invoice.by_tenant' },
      });
      assertError(tenantTry, 403, 'ADMIN_KEY_REQUIRED');
      assertError(
        await herald.call('PATCH', '/v1/event-types/webhook.disabled', { body: { description: 'mine now' } }),
        409,
        'EVENT_TYPE_PROTECTED',
      );
      assertError(
        await herald.call('PATCH', '/v1/event-types/invoice.nothing', { body: { description: 'x' } }),
        404,
        'EVENT_TYPE_NOT_FOUND',
      );
    });

    it('refuses publishes that break a schema the type enforces, naming the path; others pass', async () => {
      const created = await herald.call('POST', '/v1/event-types', {
        body: {
          name: 'invoice.paid',
          description: 'An invoice was paid',
          schema: INVOICE_SCHEMA,
          example: { invoiceId: 'in_1', amount: 120.5, lines: [{ sku: 'PLAN-PRO' }] },
          enforceSchema: true,
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.enforceSchema, true);
      const names = (await herald.call('GET', '/v1/event-types')).body.data.map(
        (type: { name: string }) => type.name,
      );
      assert.equal(names.at(-1), 'invoice.paid', 'a new type comes last');

      const publish = (data: unknown) =>
        herald.call('POST', `${tenant}/events`, { key: tenantKey, body: { event: 'invoice.paid', data } });
      assertError(
        await publish({ invoiceId: 'in_2', amount: 10, lines: [{ quantity: 1 }] }),
        422,
        'SCHEMA_MISMATCH',
        /^body\.data\.lines\[0\] is missing the field "sku": invoice\.paid publishes must match its schema/,
      );
      assertError(
        await publish({ invoiceId: 'in_2' }),
        422,
        'SCHEMA_MISMATCH',
        /^body\.data is missing the field "amount"/,
      );
      assert.equal((await publish({ invoiceId: 'in_2', amount: 10 })).status, 202);

      const batch = await herald.call('POST', `${tenant}/events/batch`, {
        key: tenantKey,
        body: {
          events: [
            { event: 'invoice.paid', data: { invoiceId: 'in_3', amount: 1 } },
            { event: 'invoice.paid', data: { invoiceId: 'in_4', amount: -1 } },
            { event: 'kpi.alert', data: { anything: 'goes' } },
          ],
        },
      });
      assert.equal(batch.status, 202);
      assert.ok(batch.body.data[0].id, 'the valid event is stored');
      assert.equal(batch.body.data[1].error.code, 'SCHEMA_MISMATCH');
      assert.match(batch.body.data[1].error.message, /^events\[1\]\.data\.amount must be 0 or more/);
      assert.ok(batch.body.data[2].id, 'a type that does not enforce its schema takes any data');

      // Enforcement off, seen at once by the next publish; the schema stays documented.
      const relaxed = await herald.call('PATCH', '/v1/event-types/invoice.paid', {
        body: { enforceSchema: false },
      });
      assert.equal(relaxed.status, 200);
      assert.deepEqual(relaxed.body.schema, INVOICE_SCHEMA);
      assert.equal((await publish({ invoiceId: 'in_5' })).status, 202);

      const noExample = await herald.call('PATCH', '/v1/event-types/invoice.paid', {
        body: { example: null },
      });
      assert.equal(noExample.body.example, null);
      assert.equal(noExample.body.description, 'An invoice was paid', 'fields not given stay');
      assertError(
        await herald.call('PATCH', '/v1/event-types/invoice.paid', {
          body: { schema: null, enforceSchema: true },
        }),
        422,
        'VALIDATION_FAILED',
      );
    });

    it('lets no webhook subscribe to webhook.test', async () => {
      const refused = await herald.call('POST', `${tenant}/webhooks`, {
        key: tenantKey,
        body: { url: receiver.url('/refused'), events: ['kpi.alert', 'webhook.test'] },
      });
      assertError(
        refused,
        422,
        'EVENT_TYPE_RESERVED',
        /^webhook\.test goes only to the webhook the Test action tests/,
      );
      const created = await herald.call('POST', `${tenant}/webhooks`, {
        key: tenantKey,
        body: { url: receiver.url('/filtered'), events: ['kpi.alert', 'webhook.disabled'] },
      });
      assert.equal(created.status, 201, 'webhook.disabled, which Herald also sends, may be subscribed to');
      assertError(
        await herald.call('PATCH', `${tenant}/webhooks/${created.body.id}`, {
          key: tenantKey,
          body: { events: ['webhook.test'] },
        }),
        422,
        'EVENT_TYPE_RESERVED',
      );
    });

    it("Test sends a picked type's example, whatever the webhook subscribes to", async () => {
      const webhook = await herald.call('POST', `${tenant}/webhooks`, {
        key: tenantKey,
        body: { url: receiver.url('/tested'), events: ['kpi.alert'] },
      });
      const test = (body?: unknown) =>
        herald.call('POST', `${tenant}/webhooks/${webhook.body.id}/test`, { key: tenantKey, body });

      const picked = await test({ eventType: 'ingestion.completed' });
      assert.equal(picked.status, 200, JSON.stringify(picked.body));
      assert.equal(picked.body.event, 'ingestion.completed');
      assert.equal(picked.body.statusCode, 200);
      const [sent] = await receiver.waitFor('/tested', 1);
      const payload = JSON.parse(sent?.body.toString('utf8') ?? '{}');
      assert.deepEqual(Object.keys(payload), ['event', 'timestamp', 'tenantId', 'data']);
      assert.equal(payload.event, 'ingestion.completed');
      assert.deepEqual(payload.data, {
        jobId: 'job_xyz',
        table: 'sales_data',
        rowsIngested: 15234,
        duration: 3200,
      });

      assert.equal((await test()).body.event, 'webhook.test', 'no type picked: the test event');
      const [, plain] = await receiver.waitFor('/tested', 2);
      assert.deepEqual(JSON.parse(plain?.body.toString('utf8') ?? '{}').data, {
        webhookId: webhook.body.id,
        message: 'This is a test event from Herald.',
      });
      assertError(await test({ eventType: 'invoice.nothing' }), 422, 'UNKNOWN_EVENT_TYPE');
      assertError(await test({ eventType: 'kpi.alert', extra: 1 }), 422, 'VALIDATION_FAILED');
    });
  });
}
