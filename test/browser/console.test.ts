/**
 * The web console, driven in Debian's Chromium through playwright-core, against a real Herald (temp
 * SQLite file, short retry schedule) and real loopback receivers whose answer the test switches
 * between 200 and 500. These journeys follow the product documentation from a first sign-in on, one
 * after another, and use its words to find controls. Screenshots of each main screen land in
 * test-artifacts/screenshots/ (ignored by git), or in HERALD_SCREENSHOTS.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { DeliveryT } from '../../src/api/schemas/deliveries.js';
import type { WebhookT } from '../../src/api/schemas/webhooks.js';
import {
  type ConsoleHarness,
  ConsoleReceiver,
  DESKTOP,
  eventually,
  gone,
  noChromium,
  PHONE,
  shot,
  shotAt,
  startConsole,
  visible,
  WIDE,
} from '../support/console-browser.js';

describe('Herald console in Chromium', { skip: noChromium }, () => {
  let harness: ConsoleHarness;
  let baseUrl = '';
  let page: Page;
  const receiver = new ConsoleReceiver();
  /** Receivers of the webhooks whose health and order the later journeys watch. */
  const goneReceiver = new ConsoleReceiver();
  const failingReceiver = new ConsoleReceiver();
  const heldReceiver = new ConsoleReceiver();
  const tenantId = 'acme';
  let secret = '';

  const apiCall = <T>(method: string, path: string, body?: unknown) => harness.api<T>(method, path, body);

  async function publish(event: string, data: Record<string, unknown>): Promise<string> {
    const { status, json } = await apiCall<{ id: string }>('POST', `/v1/tenants/${tenantId}/events`, {
      event,
      data,
    });
    assert.equal(status, 202);
    return json.id;
  }

  async function createWebhook(body: Record<string, unknown>): Promise<WebhookT> {
    const { status, json } = await apiCall<WebhookT>('POST', `/v1/tenants/${tenantId}/webhooks`, body);
    assert.equal(status, 201);
    return json;
  }

  async function getWebhook(id: string): Promise<WebhookT> {
    const { status, json } = await apiCall<WebhookT>('GET', `/v1/tenants/${tenantId}/webhooks/${id}`);
    assert.equal(status, 200);
    return json;
  }

  const webhookRow = () => page.getByRole('row').filter({ hasText: receiver.url });

  before(async () => {
    for (const r of [receiver, goneReceiver, failingReceiver, heldReceiver]) await r.start();
    goneReceiver.status = 410;
    failingReceiver.status = 500;
    harness = await startConsole();
    baseUrl = harness.baseUrl;
    page = await harness.newPage();
  });

  after(async () => {
    await harness?.close();
    for (const r of [receiver, goneReceiver, failingReceiver, heldReceiver]) await r.stop();
  });

  test('signs in with the admin key and creates a tenant', async () => {
    await page.goto(baseUrl);
    await visible(page.getByRole('heading', { name: 'Sign in to your webhook console' }));
    await shot(page, '01-sign-in');

    // A wrong key is refused with a message, not a blank page.
    await page.getByLabel('API key').fill('hk_not_a_real_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByText('Herald did not accept this API key'));

    await page.getByLabel('API key').fill(harness.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('heading', { name: 'Create your first tenant' }));
    await shot(page, '02-first-run');

    await page.getByRole('button', { name: 'Create tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create tenant' });
    await dialog.getByLabel('Tenant ID').fill(tenantId);
    await dialog.getByLabel('Name').fill('Acme Inc.');
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await gone(dialog);
    await visible(page.getByRole('heading', { name: 'No webhooks yet' }));
    assert.equal(await page.getByLabel('Tenant', { exact: true }).inputValue(), tenantId);

    // A second tenant, then switch back with the tenant switcher.
    await page.getByRole('button', { name: 'New tenant' }).click();
    await dialog.getByLabel('Tenant ID').fill('globex');
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await gone(dialog);
    assert.equal(await page.getByLabel('Tenant', { exact: true }).inputValue(), 'globex');
    await page.getByLabel('Tenant', { exact: true }).selectOption(tenantId);
    assert.equal(await page.getByLabel('Tenant', { exact: true }).inputValue(), tenantId);
  });

  test('Settings → Manage Webhooks → Register Webhook with URL and Secret → Create', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('link', { name: 'Manage Webhooks', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
    await visible(page.getByRole('heading', { name: 'No webhooks yet' }));
    await shot(page, '03-webhooks-empty');

    await page.getByRole('button', { name: 'Register Webhook' }).first().click();
    await visible(page.getByRole('heading', { name: 'Register Webhook' }));

    // The API's own words appear next to the URL field.
    await page.getByLabel('URL', { exact: true }).fill('http://10.1.2.3/hooks');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const urlError = page.locator('#url-error');
    await visible(urlError);
    const refused = await apiCall<{ error: { code: string; message: string } }>(
      'POST',
      `/v1/tenants/${tenantId}/webhooks`,
      { url: 'http://10.1.2.3/hooks' },
    );
    assert.equal(refused.status, 422);
    assert.equal(await urlError.textContent(), refused.json.error.message);
    assert.equal(await page.getByLabel('URL', { exact: true }).getAttribute('aria-invalid'), 'true');

    await page.getByLabel('URL', { exact: true }).fill(receiver.url);
    await page.getByRole('button', { name: 'Generate' }).click();
    secret = await page.getByLabel('Secret', { exact: true }).inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    await visible(page.getByRole('button', { name: 'Copy' }));
    await page.getByLabel('Description').fill('Order sync');
    await shot(page, '04-register-webhook');

    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
    const row = await visible(webhookRow());
    await visible(row.getByText('Active'));
    await visible(row.getByText('All events'));
    for (const action of ['Test', 'Delivery History', 'Delete']) {
      await visible(row.getByRole('button', { name: action, exact: true }));
    }
  });

  test('Test shows the status code and response time in place', async () => {
    const row = webhookRow();
    await row.getByRole('button', { name: 'Test', exact: true }).click();
    const outcome = row.getByRole('status');
    await visible(outcome.getByText(/Test delivered — 200 in \d+ ms/));

    // The receiver got it, signed as the docs describe.
    const [request] = receiver.received('webhook.test');
    assert.ok(request, 'the receiver got the test event');
    const expected = `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`;
    assert.equal(request.headers['x-webhook-signature'], expected);
    await shot(page, '05-webhooks');

    // And the failure case: the error and the status code, in place.
    receiver.status = 500;
    await row.getByRole('button', { name: 'Test', exact: true }).click();
    await visible(outcome.getByText(/Test failed — 500/));
    receiver.status = 200;
  });

  test('Delivery History shows status code, timestamp, response time; details; Resend; live updates', async () => {
    await webhookRow().getByRole('button', { name: 'Delivery History' }).click();
    await visible(page.getByRole('heading', { name: 'Delivery History' }));
    for (const column of ['Status code', 'Timestamp', 'Response time', 'Event', 'Attempt', 'Status']) {
      await visible(page.getByRole('columnheader', { name: column, exact: true }));
    }
    const rows = page
      .getByRole('table', { name: 'Deliveries' })
      .getByRole('row')
      .filter({ hasText: 'webhook.test' });
    await eventually('two test deliveries', async () => (await rows.count()) === 2);
    const succeeded = rows.filter({ hasText: 'Succeeded' });
    await visible(succeeded.getByText('200', { exact: true }));
    await visible(succeeded.getByText(/^\d+ ms$/));
    await visible(rows.filter({ hasText: 'Failed' }).getByText('500', { exact: true }));

    // A new event shows up without a reload.
    await publish('ingestion.completed', { jobId: 'job_xyz', table: 'sales_data', rowsIngested: 15234 });
    const ingestion = page.getByRole('row').filter({ hasText: 'ingestion.completed' });
    await visible(ingestion.filter({ hasText: 'Succeeded' }));
    await shot(page, '06-delivery-history');
    await shotAt(PHONE, page, '06-delivery-history-phone');

    // A row opens the details: request headers and body, response body.
    await ingestion.getByRole('cell').first().click();
    const details = page.getByRole('dialog', { name: 'Delivery details' });
    await visible(details.getByRole('rowheader', { name: /x-webhook-signature/i }));
    await visible(details.getByText('"rowsIngested": 15234'));
    await visible(details.getByText('"ok": true'));
    await shot(page, '07-delivery-details');
    await details.getByRole('button', { name: 'Close', exact: true }).first().click();
    await gone(details);

    // Resend delivers the same event again.
    const before = receiver.received('ingestion.completed').length;
    await ingestion.first().getByRole('button', { name: 'Resend' }).click();
    await eventually(
      'the resent event at the receiver',
      () => receiver.received('ingestion.completed').length > before,
    );
    await eventually('a second ingestion.completed row', async () => (await ingestion.count()) === 2);
    const [first, second] = receiver.received('ingestion.completed');
    assert.equal(first?.headers['webhook-id'], second?.headers['webhook-id'], 'resend keeps webhook-id');

    // The status filter.
    await page.getByRole('radio', { name: 'Failed' }).check();
    await eventually('only failed rows', async () => {
      const all = page.getByRole('table', { name: 'Deliveries' }).getByRole('row');
      return (await all.count()) === 2 && (await all.filter({ hasText: 'Succeeded' }).count()) === 0;
    });
    await page.getByRole('radio', { name: 'All' }).check();
  });

  test('a failing endpoint: retried, then in the Dead Letter Queue with its error; Replay and Replay All', async () => {
    receiver.status = 500;
    const ids = [
      await publish('kpi.alert', { kpi: 'revenue', drop: 0.31 }),
      await publish('ingestion.failed', { jobId: 'job_abc', reason: 'timeout' }),
      await publish('dashboard.ready', { dashboardId: 'dash_1' }),
    ];
    // Each is tried three times (attempt 1 and two retries) and lands in the DLQ.
    await eventually('three dead letters', async () => {
      const { json } = await apiCall<{ data: { eventId: string }[] }>('GET', `/v1/tenants/${tenantId}/dlq`);
      return ids.every((id) => json.data.some((d) => d.eventId === id));
    });
    await visible(page.getByRole('row').filter({ hasText: 'kpi.alert' }).filter({ hasText: '#3' }));

    await page.getByRole('link', { name: 'Dead Letter Queue', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Dead Letter Queue' }));
    const table = page.getByRole('table', { name: 'Failed events' });
    for (const column of ['Event', 'Webhook URL', 'Error message', 'Attempts', 'Failed']) {
      await visible(table.getByRole('columnheader', { name: column, exact: true }));
    }
    const { json: dlq } = await apiCall<{ data: { event: string; error: string; attempts: number }[] }>(
      'GET',
      `/v1/tenants/${tenantId}/dlq`,
    );
    const alert = dlq.data.find((d) => d.event === 'kpi.alert');
    assert.ok(alert);
    assert.equal(alert.attempts, 3);
    const alertRow = table.getByRole('row').filter({ hasText: 'kpi.alert' });
    await visible(alertRow.getByText(alert.error, { exact: true }));
    await visible(alertRow.getByText(receiver.url));
    await shot(page, '08-dead-letter-queue');
    await shotAt(PHONE, page, '08-dead-letter-queue-phone');

    // The payload is viewable.
    await alertRow.getByRole('button', { name: 'Payload', exact: true }).click();
    const payload = page.getByRole('dialog', { name: 'Failed event payload' });
    await visible(payload.getByText('"event": "kpi.alert"'));
    await shot(page, '09-dlq-payload');
    await payload.getByRole('button', { name: 'Close', exact: true }).first().click();
    await gone(payload);

    // Endpoint healthy again: Replay one, then Replay All.
    receiver.status = 200;
    await alertRow.getByRole('button', { name: 'Replay', exact: true }).click();
    await gone(alertRow);
    await eventually('the replayed kpi.alert at the receiver', () =>
      receiver.received('kpi.alert').some((r, i, all) => i === all.length - 1 && r.body.includes('revenue')),
    );

    await page.getByRole('button', { name: 'Replay All', exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Replay all 2 failed events?' });
    await visible(confirm);
    await shot(page, '10-replay-all-confirm');
    await confirm.getByRole('button', { name: 'Replay 2 events' }).click();
    await gone(confirm);
    await visible(page.getByRole('heading', { name: 'No failed events' }));
    await eventually('both replayed events delivered', () => {
      const ok = (event: string) => receiver.received(event).length === 4; // 3 failed attempts + 1 replay
      return ok('ingestion.failed') && ok('dashboard.ready');
    });
    await shot(page, '11-dlq-empty');
  });

  test('Event Types lists the catalogue with descriptions', async () => {
    await page.getByRole('link', { name: 'Event Types', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Event Types' }));
    const row = page.getByRole('row').filter({ hasText: 'ingestion.completed' });
    await visible(row.getByText('A data ingestion job finishes'));
    await visible(
      page.getByRole('row').filter({ hasText: 'kpi.alert' }).getByText('A KPI anomaly is detected'),
    );
    await shot(page, '12-event-types');
  });

  test('Disable, Enable, and Delete with a confirmation', async () => {
    await page.getByRole('link', { name: 'Manage Webhooks', exact: true }).click();
    const row = await visible(webhookRow());
    await row.getByRole('button', { name: 'Disable' }).click();
    await visible(row.getByText('Disabled', { exact: true }));
    await row.getByRole('button', { name: 'Enable' }).click();
    await visible(row.getByText('Active', { exact: true }));

    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete this webhook?' });
    await visible(confirm);
    await shot(page, '13-delete-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await gone(confirm);
    await visible(row);

    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.getByRole('button', { name: 'Delete webhook' }).click();
    await gone(confirm);
    await gone(webhookRow());
    await visible(page.getByRole('heading', { name: 'No webhooks yet' }));
    const { json } = await apiCall<{ data: unknown[] }>('GET', `/v1/tenants/${tenantId}/webhooks`);
    assert.equal(json.data.length, 0);
  });

  test('a webhook Herald disabled after 410 Gone shows why; a failing one shows since when', async () => {
    // Each subscribes to one event type, so that the later journeys' events leave them alone.
    const retired = await createWebhook({
      url: goneReceiver.url,
      events: ['ingestion.completed'],
      description: 'Retired CRM bridge',
    });
    const failing = await createWebhook({
      url: failingReceiver.url,
      events: ['ingestion.completed'],
      description: 'Warehouse sync',
    });
    await publish('ingestion.completed', { jobId: 'job_gone', table: 'sales_data' });
    const reason = await eventually('Herald to disable the webhook that answered 410', async () => {
      const webhook = await getWebhook(retired.id);
      return webhook.status === 'disabled' && webhook.disabledReason;
    });
    assert.match(reason, /410 Gone/);
    const failingSince = await eventually('the other webhook to be failing', async () => {
      const webhook = await getWebhook(failing.id);
      return webhook.failingSince;
    });
    assert.equal((await getWebhook(failing.id)).status, 'active');

    // The list, already open, learns both by itself.
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
    const retiredRow = page.getByRole('row').filter({ hasText: goneReceiver.url });
    await visible(retiredRow.getByText('Disabled', { exact: true }));
    await visible(retiredRow.getByText(`Disabled by Herald: ${reason}`));
    const failingRow = page.getByRole('row').filter({ hasText: failingReceiver.url });
    await visible(failingRow.getByText('Active', { exact: true }));
    const failingTime = failingRow.locator(`time[datetime="${failingSince}"]`);
    await visible(failingTime);
    assert.match((await failingTime.textContent()) ?? '', /^Failing since \S/);
    await shotAt(WIDE, page, '18-webhooks-disabled-and-failing');

    // The webhook's own page says it too.
    await retiredRow.getByRole('button', { name: 'Delivery History' }).click();
    const retiredNotice = page.getByRole('status').filter({ hasText: 'Disabled by Herald' });
    await visible(retiredNotice.getByText(reason, { exact: false }));
    await visible(page.getByRole('row').filter({ hasText: 'ingestion.completed' }).getByText('410'));
    await shotAt(WIDE, page, '19-delivery-history-disabled-by-herald');
    await page.getByRole('link', { name: 'Back to webhooks' }).click();
    await failingRow.getByRole('button', { name: 'Delivery History' }).click();
    await visible(
      page
        .getByRole('status')
        .filter({ hasText: /^Failing since .+ Every attempt since then has failed\.$/ }),
    );
    await shotAt(WIDE, page, '20-delivery-history-failing');

    await page.getByRole('link', { name: 'Back to webhooks' }).click();
    await retiredRow.getByRole('button', { name: 'Edit', exact: true }).click();
    await visible(page.getByRole('status').filter({ hasText: `Disabled by Herald: ${reason}` }));
    await shotAt(WIDE, page, '21-edit-disabled-by-herald');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Enabling it again is a person's decision, and clears Herald's reason.
    await retiredRow.getByRole('button', { name: 'Enable' }).click();
    await visible(retiredRow.getByText('Active', { exact: true }));
    await gone(retiredRow.getByText('Disabled by Herald', { exact: false }));
    assert.equal((await getWebhook(retired.id)).disabledReason, null);
    await retiredRow.getByRole('button', { name: 'Disable' }).click();
    await visible(retiredRow.getByText('Disabled', { exact: true }));
    assert.equal(await retiredRow.getByText('Disabled by Herald', { exact: false }).count(), 0);
  });

  test('Register Webhook with a Rate limit and In order (FIFO); Edit clears the rate limit', async () => {
    const url = `${receiver.url}?ordered=1`;
    await page.getByRole('button', { name: 'Register Webhook' }).first().click();
    await visible(page.getByRole('heading', { name: 'Register Webhook' }));
    await page.getByLabel('URL', { exact: true }).fill(url);
    await page.getByRole('radio', { name: /In order \(FIFO\)/ }).check();

    // Zero is no rate: the form says so before anything is sent.
    const rateLimit = page.getByLabel('Rate limit', { exact: true });
    await rateLimit.fill('0');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const rateError = page.locator('#rate-limit-error');
    await visible(rateError);
    assert.match((await rateError.textContent()) ?? '', /above 0/);
    assert.equal(await rateLimit.getAttribute('aria-invalid'), 'true');
    await rateLimit.fill('2.5');
    await gone(rateError);
    await shotAt(WIDE, page, '22-register-rate-limit-fifo');

    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
    const row = page.getByRole('row').filter({ hasText: url });
    await visible(row.getByText(/In order · at most 2\.5\/s/));
    const { json: list } = await apiCall<{ data: WebhookT[] }>('GET', `/v1/tenants/${tenantId}/webhooks`);
    const created = list.data.find((webhook) => webhook.url === url);
    assert.ok(created, 'the API lists the new webhook');
    assert.equal(created.rateLimit, 2.5);
    assert.equal(created.ordering, 'fifo');

    // Edit shows both as set, and an emptied Rate limit removes the limit.
    await row.getByRole('button', { name: 'Edit', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Edit webhook' }));
    await eventually('the form to show the rate limit', async () => (await rateLimit.inputValue()) === '2.5');
    assert.ok(await page.getByRole('radio', { name: /In order \(FIFO\)/ }).isChecked());
    await rateLimit.fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
    const edited = await getWebhook(created.id);
    assert.equal(edited.rateLimit, null);
    assert.equal(edited.ordering, 'fifo');
    await gone(row.getByText(/at most/));
  });

  test("an ordered webhook's next event waits its turn in Delivery History", async () => {
    heldReceiver.holding = true;
    const ordered = await createWebhook({
      url: heldReceiver.url,
      events: ['kpi.computed'],
      ordering: 'fifo',
      description: 'Ledger, in order',
    });
    await publish('kpi.computed', { kpi: 'revenue', value: 1 });
    await publish('kpi.computed', { kpi: 'revenue', value: 2 });
    // The first is at the receiver, unanswered; the second must wait for it.
    await eventually('the first event at the receiver', () => heldReceiver.requests.length === 1);
    await eventually('the second pending with no time set', async () => {
      const { json: pending } = await apiCall<{ data: DeliveryT[] }>(
        'GET',
        `/v1/tenants/${tenantId}/webhooks/${ordered.id}/deliveries?status=pending`,
      );
      return pending.data.filter((delivery) => delivery.nextAttemptAt === null).length === 1;
    });

    await page
      .getByRole('row')
      .filter({ hasText: heldReceiver.url })
      .getByRole('button', { name: 'Delivery History' })
      .click();
    const rows = page
      .getByRole('table', { name: 'Deliveries' })
      .getByRole('row')
      .filter({ hasText: 'kpi.computed' });
    await visible(rows.filter({ hasText: 'Waiting its turn' }));
    assert.equal(await rows.filter({ hasText: 'Waiting its turn' }).count(), 1);
    await shotAt(WIDE, page, '23-delivery-waiting-its-turn');

    // Once the first is answered, the second follows, in order.
    heldReceiver.release();
    await eventually(
      'both delivered',
      async () => (await rows.filter({ hasText: 'Succeeded' }).count()) === 2,
    );
    const values = heldReceiver.requests.map(
      (r) => (JSON.parse(r.body) as { data: { value: number } }).data.value,
    );
    assert.deepEqual(values, [1, 2]);
  });

  test('a portal link signs a fresh browser into its tenant; expired and tampered links say so', async () => {
    // Something to look at in the tenant's console.
    const created = await apiCall('POST', `/v1/tenants/${tenantId}/webhooks`, {
      url: `${receiver.url}?portal=1`,
      events: ['kpi.alert', 'kpi.computed'],
      description: 'KPI alerts to Slack bridge',
    });
    assert.equal(created.status, 201);
    const { status, json: link } = await apiCall<{ url: string; expiresAt: string }>(
      'POST',
      `/v1/tenants/${tenantId}/portal-links`,
      { expiresIn: 600 },
    );
    assert.equal(status, 201);
    assert.match(link.url, /\/portal#token=/);

    {
      const p = await harness.newPage({ viewport: PHONE, isMobile: true });
      await p.goto(link.url);
      await visible(p.getByRole('heading', { name: 'Manage Webhooks' }));
      assert.ok(!p.url().includes('token='), `the token left the address bar: ${p.url()}`);
      await visible(p.getByText(tenantId, { exact: true }));
      assert.equal(
        await p.getByLabel('Tenant', { exact: true }).count(),
        0,
        'a tenant sees no tenant switcher',
      );
      await visible(p.getByRole('row').filter({ hasText: 'portal=1' }).getByText('kpi.computed'));
      await shot(p, '14-portal-phone');

      // Register from the phone, subscribed to one event type only.
      await p.getByRole('button', { name: 'Register Webhook' }).first().click();
      await p.getByLabel('URL', { exact: true }).fill(`${receiver.url}?phone=1`);
      await p.getByRole('radio', { name: /Selected events/ }).check();
      await p.getByRole('checkbox', { name: /ingestion\.failed/ }).check();
      await shot(p, '15-register-phone');
      await p.getByRole('button', { name: 'Create', exact: true }).click();
      const phoneRow = p.getByRole('row').filter({ hasText: 'phone=1' });
      await visible(phoneRow.getByText('ingestion.failed', { exact: true }));

      // The session survives a reload (the key is in this tab's sessionStorage).
      await p.reload();
      await visible(p.getByRole('heading', { name: 'Manage Webhooks' }));
    }

    {
      const p = await harness.newPage({ viewport: DESKTOP });
      // Tampered: one character of the signature changed.
      const tampered = link.url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      await p.goto(tampered);
      await visible(p.getByRole('heading', { name: 'This link is not valid. Ask for a new one.' }));
      await shot(p, '16-portal-invalid');

      // Expired: a one-minute link, opened after Herald's clock has moved two minutes on.
      const { json: short } = await apiCall<{ url: string }>('POST', `/v1/tenants/${tenantId}/portal-links`, {
        expiresIn: 60,
      });
      harness.skew(120_000);
      await p.goto(short.url);
      await visible(p.getByRole('heading', { name: 'This link has expired. Ask for a new one.' }));
      await shot(p, '17-portal-expired');
    }
  });

  test('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible(page.getByRole('heading', { name: 'Sign in to your webhook console' }));
    assert.equal(await page.evaluate('sessionStorage.getItem("herald.key")'), null);
  });

  test('loaded nothing from the network and threw no errors', () => {
    assert.deepEqual(harness.foreignRequests, []);
    assert.deepEqual(harness.pageErrors, []);
  });
});
