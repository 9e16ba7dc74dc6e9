/**
 * The event catalogue in Chromium: the Event Types page with each type's example and schema, the
 * webhook form's event picker, and Test with a picked type. Each journey sets up its own tenant and
 * tab through the API, so one failing leaves the others meaningful. Screenshots land in SHOTS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { WebhookT } from '../../src/api/schemas/webhooks.js';
import {
  axeViolations,
  type ConsoleHarness,
  ConsoleReceiver,
  DESKTOP,
  gone,
  noChromium,
  PHONE,
  shot,
  shotAt,
  startConsole,
  visible,
  WIDE,
} from '../support/console-browser.js';

const DOCUMENTED_ORDER = [
  'ingestion.completed',
  'ingestion.failed',
  'kpi.computed',
  'kpi.alert',
  'analysis.completed',
  'dashboard.ready',
];

describe('Event catalogue in Chromium', { skip: noChromium }, () => {
  let harness: ConsoleHarness;

  before(async () => {
    harness = await startConsole();
  });
  after(async () => {
    await harness?.close();
    assert.deepEqual(harness?.pageErrors ?? [], [], 'no script errors in any page');
    assert.deepEqual(harness?.foreignRequests ?? [], [], 'the console loads nothing from elsewhere');
  });

  /** A tenant of the journey's own, and a tab signed in as the admin on it. */
  async function tenantPage(tenant: string, viewport = DESKTOP): Promise<Page> {
    const created = await harness.api('POST', '/v1/tenants', { id: tenant, name: `Catalogue ${tenant}` });
    assert.equal(created.status, 201);
    const page = await harness.newPage({ signIn: true, tenant, viewport });
    await page.goto(harness.baseUrl);
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
    return page;
  }

  async function openEventTypes(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Event Types', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Event Types' }));
    await visible(page.getByRole('table', { name: 'Event types' }));
  }

  async function eventColumn(page: Page): Promise<string[]> {
    const cells = page.getByRole('table', { name: 'Event types' }).locator('tbody tr td:first-child code');
    return cells.allInnerTexts();
  }

  test("Event Types keeps the documentation's order and shows each type's example and schema", async () => {
    const page = await tenantPage('cat_page');
    await openEventTypes(page);
    const names = await eventColumn(page);
    assert.deepEqual(names.slice(0, DOCUMENTED_ORDER.length), DOCUMENTED_ORDER, 'not sorted by name');
    const testRow = page.getByRole('row').filter({ hasText: 'webhook.test' });
    await visible(testRow.getByText('Sent by Herald · only by Test, not subscribable'));
    await visible(page.getByRole('row').filter({ hasText: 'kpi.alert' }).getByText('Documented'));
    assert.deepEqual(await axeViolations(page), [], 'the Event Types page');
    await shot(page, 'catalogue-01-event-types');
    await shotAt(PHONE, page, 'catalogue-01-event-types-phone');

    await page.getByRole('button', { name: 'View ingestion.completed' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'ingestion.completed' }));
    await visible(dialog.getByText('A data ingestion job finishes'));
    const [example, schema] = await dialog.locator('pre').allInnerTexts();
    assert.deepEqual(JSON.parse(example ?? ''), {
      event: 'ingestion.completed',
      timestamp: '2025-01-15T10:30:00Z',
      tenantId: 'tenant_abc123',
      data: { jobId: 'job_xyz', table: 'sales_data', rowsIngested: 15234, duration: 3200 },
    });
    const served = await harness.api<{ schema: unknown }>('GET', '/v1/event-types/ingestion.completed');
    assert.deepEqual(JSON.parse(schema ?? ''), served.json.schema, 'the schema the server has');
    assert.deepEqual(await axeViolations(page), [], 'the event type dialog');
    await shotAt(WIDE, page, 'catalogue-02-event-type-dialog');
    await shotAt(PHONE, page, 'catalogue-02-event-type-dialog-phone');
    await page.keyboard.press('Escape');
    await gone(dialog);
  });

  test('a schema the admin enforces shows as Enforced, with what that means', async () => {
    const added = await harness.api('POST', '/v1/event-types', {
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schema: { type: 'object', properties: { invoiceId: { type: 'string' } }, required: ['invoiceId'] },
      example: { invoiceId: 'in_1' },
      enforceSchema: true,
    });
    assert.equal(added.status, 201);
    const page = await tenantPage('cat_enforced');
    await openEventTypes(page);
    assert.equal((await eventColumn(page)).at(-1), 'invoice.paid', 'a type added later comes last');
    const row = page.getByRole('row').filter({ hasText: 'invoice.paid' });
    await visible(row.getByText('Enforced'));
    await row.getByRole('button', { name: 'View invoice.paid' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'invoice.paid' }));
    await visible(dialog.getByText('Herald refuses a publish whose data does not match this schema.'));
  });

  test('the webhook form offers the subscribable types in the catalogue order, not webhook.test', async () => {
    const page = await tenantPage('cat_form');
    await page.getByRole('button', { name: 'Register Webhook' }).first().click();
    await page.getByRole('radio', { name: /Selected events/ }).check();
    const picker = page.locator('.event-picker');
    await visible(picker.getByRole('checkbox').first());
    const offered = await picker.locator('.check-row .mono').allInnerTexts();
    assert.deepEqual(offered.slice(0, DOCUMENTED_ORDER.length), DOCUMENTED_ORDER);
    assert.ok(!offered.includes('webhook.test'), `webhook.test offered: ${offered.join(', ')}`);
    assert.ok(offered.includes('webhook.disabled'), "Herald's disable notice can be subscribed to");
    await shot(page, 'catalogue-03-event-picker');
  });

  test("Send example sends the picked type's example and reports the attempt Herald recorded", async () => {
    const receiver = new ConsoleReceiver();
    await receiver.start();
    try {
      const page = await tenantPage('cat_test');
      const created = await harness.api<WebhookT>('POST', '/v1/tenants/cat_test/webhooks', {
        url: receiver.url,
        events: ['kpi.alert'],
      });
      assert.equal(created.status, 201);
      await page.reload();
      const row = await visible(page.getByRole('row').filter({ hasText: receiver.url }));
      await row.getByRole('button', { name: `Send example to ${receiver.url}` }).click();
      const dialog = await visible(page.getByRole('dialog', { name: 'Send a test event' }));
      const picker = dialog.getByLabel('Event type');
      assert.equal(await picker.inputValue(), 'webhook.test', 'starts from the test event');
      const options = await picker.locator('option').allInnerTexts();
      assert.deepEqual(options.slice(0, DOCUMENTED_ORDER.length), DOCUMENTED_ORDER);

      await picker.selectOption('ingestion.completed');
      await visible(dialog.getByText('"rowsIngested": 15234'));
      assert.deepEqual(await axeViolations(page), [], 'the Send a test event dialog');
      await shot(page, 'catalogue-04-send-example');
      await dialog.getByRole('button', { name: 'Send test event' }).click();
      await visible(dialog.getByRole('status').getByText(/Test delivered — 200 in \d+ ms/));
      const [sent] = receiver.received('ingestion.completed');
      assert.ok(sent, 'the receiver got ingestion.completed');
      assert.deepEqual(JSON.parse(sent.body).data, {
        jobId: 'job_xyz',
        table: 'sales_data',
        rowsIngested: 15234,
        duration: 3200,
      });
      await shotAt(PHONE, page, 'catalogue-05-send-example-sent-phone');

      // A failing receiver: the dialog says so, with the status code Herald recorded.
      receiver.status = 500;
      await picker.selectOption('kpi.alert');
      await gone(dialog.getByRole('status').getByText(/Test delivered/));
      await dialog.getByRole('button', { name: 'Send test event' }).click();
      await visible(dialog.getByRole('status').getByText(/Test failed — 500/));
      assert.equal(receiver.received('kpi.alert').length, 1);
      await shot(page, 'catalogue-06-send-example-failed');
    } finally {
      await receiver.stop();
    }
  });
});
