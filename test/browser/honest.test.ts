/**
 * The console tells the truth about Herald and the dead letter queue, at scale: each journey sets up
 * its own tenant through the API, so one failing does not take the others with it. Screenshots land
 * in test-artifacts/screenshots/ (or HERALD_SCREENSHOTS) as honest-*.png.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import type { WebhookT } from '../../src/api/schemas/webhooks.js';
import {
  axeViolations,
  type ConsoleHarness,
  ConsoleReceiver,
  eventually,
  gone,
  noChromium,
  PHONE,
  SHOTS,
  shot,
  shotAt,
  startConsole,
  visible,
  WIDE,
} from '../support/console-browser.js';
import {
  describeLongTasks,
  FRESH_VISITS,
  forgetLongTasks,
  longTaskSteps,
  longTasks,
  recordLongTasks,
  rowChangesOverTwoPolls,
  spread,
  timeClick,
} from '../support/page-timing.js';

/** The drawn rows of the queue's table. */
const ROWS = 'table[aria-label="Failed events"] tbody tr:not(.spacer-row)';

describe('Honest console: connection and the dead letter queue', { skip: noChromium }, () => {
  let harness: ConsoleHarness;
  const failing = new ConsoleReceiver();
  const other = new ConsoleReceiver();
  let tenantCount = 0;

  before(async () => {
    await failing.start();
    await other.start();
    failing.status = 500;
    other.status = 500;
    harness = await startConsole();
  });

  after(async () => {
    await harness?.close();
    await failing.stop();
    await other.stop();
    assert.deepEqual(harness?.pageErrors ?? [], [], 'no script errors in any page');
  });

  async function newTenant(): Promise<string> {
    tenantCount += 1;
    const id = `honest_${tenantCount}`;
    const { status } = await harness.api('POST', '/v1/tenants', { id, name: `Honest ${tenantCount}` });
    assert.equal(status, 201);
    return id;
  }

  async function webhook(tenantId: string, url: string, description: string): Promise<WebhookT> {
    const { status, json } = await harness.api<WebhookT>('POST', `/v1/tenants/${tenantId}/webhooks`, {
      url,
      description,
    });
    assert.equal(status, 201, JSON.stringify(json));
    return json;
  }

  async function dlqTotal(tenantId: string, query = ''): Promise<number> {
    const { json } = await harness.api<{ total: number }>(
      'GET',
      `/v1/tenants/${tenantId}/dlq?limit=1${query}`,
    );
    return json.total;
  }

  /** Publishes the events and waits until each failed every retry into the DLQ of every webhook. */
  async function failInto(tenantId: string, events: string[], webhooks: number): Promise<void> {
    const expected = (await dlqTotal(tenantId)) + events.length * webhooks;
    for (const [i, event] of events.entries()) {
      const { status } = await harness.api('POST', `/v1/tenants/${tenantId}/events`, { event, data: { i } });
      assert.equal(status, 202);
    }
    await eventually('the dead letters', async () => (await dlqTotal(tenantId)) === expected);
  }

  async function openQueue(tenantId: string, viewport = WIDE): Promise<Page> {
    const page = await harness.newPage({ signIn: true, tenant: tenantId, viewport });
    await page.goto(`${harness.baseUrl}#/settings/dead-letter-queue`);
    await visible(page.getByRole('heading', { name: 'Dead Letter Queue' }));
    return page;
  }

  test('offline and back: the indicator and a banner say so, stale rows are marked, it recovers alone', async () => {
    const tenantId = await newTenant();
    await webhook(tenantId, failing.url, 'Orders');
    await failInto(tenantId, ['kpi.alert'], 1);
    const page = await openQueue(tenantId);
    const table = page.getByRole('table', { name: 'Failed events' });
    await visible(table.getByRole('row').filter({ hasText: 'kpi.alert' }));
    await visible(page.getByText('Live', { exact: true }));

    // Herald unreachable from the browser: every API request fails at the network.
    await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
    const banner = page.getByRole('alert').filter({ hasText: 'Offline — retrying' });
    await visible(banner);
    await visible(page.getByText('Offline — retrying', { exact: true }));
    await gone(page.getByText('Live', { exact: true }));
    await visible(table.getByRole('row').filter({ hasText: 'kpi.alert' }), 1000);
    await shot(page, 'honest-01-offline');

    // Back: no reload, no click; the next poll (or the banner's own retry) finds Herald again.
    await page.unroute('**/v1/**');
    await gone(banner);
    await visible(page.getByText('Live', { exact: true }));
    await failInto(tenantId, ['ingestion.failed'], 1);
    await visible(table.getByRole('row').filter({ hasText: 'ingestion.failed' }));
    await page.close();
  });

  test('Replay All counts first, reports what it skipped and why, and offers Enable', async () => {
    const tenantId = await newTenant();
    const orders = await webhook(tenantId, failing.url, 'Orders');
    const billing = await webhook(tenantId, other.url, 'Billing');
    await failInto(tenantId, ['kpi.alert', 'kpi.alert', 'ingestion.completed'], 2);
    const disabled = await harness.api('PATCH', `/v1/tenants/${tenantId}/webhooks/${billing.id}`, {
      status: 'disabled',
    });
    assert.equal(disabled.status, 200);

    const page = await openQueue(tenantId);
    // Webhooks are told apart by description and URL.
    const webhookFilter = page.getByLabel('Webhook', { exact: true });
    const options = await webhookFilter.locator('option').allTextContents();
    assert.ok(options.includes(`Orders — ${failing.url}`), options.join(', '));
    assert.ok(options.includes(`Billing — ${other.url}`), options.join(', '));
    await visible(page.getByText('6 failed events in the queue'));
    await page.getByLabel('Event type', { exact: true }).selectOption('kpi.alert');
    await visible(page.getByText('4 failed events match these filters'));

    // The receivers hold their answers: the replays stay under way while the test looks.
    failing.holding = true;
    other.holding = true;
    await page.getByRole('button', { name: 'Replay All', exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Replay all 2 failed events?' });
    await visible(confirm);
    await visible(confirm.getByText('2 failed events will be skipped'));
    await visible(confirm.getByRole('button', { name: 'Enable webhook', exact: true }));
    await shot(page, 'honest-02-replay-all-dry-run');
    await confirm.getByRole('button', { name: 'Replay 2 events' }).click();
    await gone(confirm);

    const outcome = page.getByRole('status').filter({ hasText: 'Replaying 2 failed events' });
    await visible(outcome.getByText('2 failed events stayed in the queue.', { exact: false }));
    await visible(page.getByRole('region', { name: 'Replays under way' }).getByText('2 replays under way'));
    assert.equal(await dlqTotal(tenantId, '&event=kpi.alert'), 2, 'the disabled webhook kept its two');
    await shot(page, 'honest-03-replay-outcome');

    await outcome.getByRole('button', { name: 'Enable webhook and replay' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'Replaying 2 failed events' }).last());
    await eventually('the webhook enabled and its letters replayed', async () => {
      const { json } = await harness.api<WebhookT>('GET', `/v1/tenants/${tenantId}/webhooks/${billing.id}`);
      return json.status === 'active' && (await dlqTotal(tenantId, '&event=kpi.alert')) === 0;
    });
    await visible(page.getByText('4 replays under way'));
    await visible(page.getByRole('heading', { name: 'No failed events' }));
    await visible(page.getByText('No failed event matches these filters.'));

    // The receivers answer 200 now: the replays leave the panel as they are delivered.
    failing.status = 200;
    other.status = 200;
    failing.release();
    other.release();
    await gone(page.getByRole('region', { name: 'Replays under way' }));
    assert.equal(await dlqTotal(tenantId, '&event=kpi.alert'), 0, 'delivered, not back in the queue');
    assert.equal(await dlqTotal(tenantId, `&webhookId=${orders.id}`), 1, 'the other type stays');
    failing.status = 500;
    other.status = 500;
    await page.close();
  });

  test('bulk select: Discard and Replay what is selected, with the server’s counts', async () => {
    const tenantId = await newTenant();
    await webhook(tenantId, failing.url, 'Orders');
    await failInto(tenantId, ['kpi.alert', 'ingestion.failed', 'dashboard.ready'], 1);
    const page = await openQueue(tenantId);
    const table = page.getByRole('table', { name: 'Failed events' });
    const row = (event: string) => table.getByRole('row').filter({ hasText: event });
    await row('kpi.alert').getByRole('checkbox').check();
    await row('ingestion.failed').getByRole('checkbox').check();
    await visible(page.getByText('2 selected'));
    await shot(page, 'honest-04-bulk-selected');
    await page.getByRole('button', { name: 'Discard selected' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Discard 2 failed events?' });
    await confirm.getByRole('button', { name: 'Discard', exact: true }).click();
    await gone(confirm);
    await visible(page.getByText('Discarded 2 failed events.'));
    await gone(row('kpi.alert'));
    assert.equal(await dlqTotal(tenantId), 1);

    await table.getByRole('checkbox', { name: 'Select every loaded failed event' }).check();
    failing.holding = true;
    await page.getByRole('button', { name: 'Replay selected' }).click();
    await visible(page.getByText('Replaying 1 failed event: each is delivered again'));
    await visible(page.getByText('1 replay under way'));
    assert.equal(await dlqTotal(tenantId), 0);
    failing.release();
    await eventually('the replay failed back into the queue', async () => (await dlqTotal(tenantId)) === 1);
    await visible(row('dashboard.ready'));
    await gone(page.getByRole('region', { name: 'Replays under way' }));
    await page.close();
  });

  test('Discard on one row names that event and its endpoint, then takes it out of the queue', async () => {
    const tenantId = await newTenant();
    await webhook(tenantId, failing.url, 'Orders');
    await failInto(tenantId, ['kpi.alert', 'ingestion.failed'], 1);
    const page = await openQueue(tenantId);
    const row = (event: string) =>
      page.getByRole('table', { name: 'Failed events' }).getByRole('row').filter({ hasText: event });
    await row('kpi.alert').getByRole('button', { name: 'Discard', exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Discard this failed event?' });
    await visible(confirm.getByText(failing.url));
    await confirm.getByRole('button', { name: 'Discard', exact: true }).click();
    await gone(confirm);
    await visible(page.getByText('Discarded kpi.alert. It will not be delivered.'));
    await gone(row('kpi.alert'));
    await visible(row('ingestion.failed'));
    await visible(page.getByText('1 failed event in the queue'));
    assert.equal(await dlqTotal(tenantId), 1, "the server's count");
    await page.close();
  });

  test('each entry links to its attempts and shows the last response body', async () => {
    const tenantId = await newTenant();
    const orders = await webhook(tenantId, failing.url, 'Orders');
    await failInto(tenantId, ['kpi.alert'], 1);
    const page = await openQueue(tenantId);
    const row = page
      .getByRole('table', { name: 'Failed events' })
      .getByRole('row')
      .filter({ hasText: 'kpi.alert' });
    await visible(row.getByText('Orders'));
    await row.getByRole('button', { name: 'kpi.alert', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Failed event attempts' });
    await visible(dialog.getByText('"error": "receiver is down for maintenance"'));
    for (const n of [1, 2, 3]) await visible(dialog.getByText(`Attempt ${n}`, { exact: true }));
    assert.equal((await dialog.getByText('HTTP 500', { exact: false }).count()) >= 3, true);
    await shot(page, 'honest-05-attempts');
    assert.deepEqual(await axeViolations(page), []);
    await dialog.getByRole('link', { name: "Open this webhook's delivery history" }).click();
    await visible(page.getByRole('heading', { name: 'Delivery History' }));
    assert.ok(page.url().endsWith(`/settings/webhooks/${orders.id}/deliveries`));
    await page.close();
  });

  test('axe finds nothing on the queue with rows, a selection and an outcome, at desktop and phone width', async () => {
    const tenantId = await newTenant();
    await webhook(tenantId, failing.url, 'Orders');
    await failInto(tenantId, ['kpi.alert', 'ingestion.failed'], 1);
    for (const viewport of [WIDE, PHONE]) {
      const page = await openQueue(tenantId, viewport);
      await page
        .getByRole('table', { name: 'Failed events' })
        .getByRole('row')
        .filter({ hasText: 'kpi.alert' })
        .getByRole('checkbox')
        .check();
      await visible(page.getByText('1 selected'));
      assert.deepEqual(await axeViolations(page), [], `at ${viewport.width}px`);
      await shotAt(viewport, page, `honest-06-dlq-${viewport.width}`);
      await page.close();
    }
  });

  test('10,000 dead letters: few rows in the DOM while scrolling; first page, details, long tasks timed', async () => {
    const tenantId = await newTenant();
    const hook = await webhook(tenantId, failing.url, 'Orders');
    await failInto(tenantId, ['kpi.alert', 'ingestion.failed', 'dashboard.ready', 'ingestion.completed'], 1);
    // The rest copied in SQL beside the running Herald (WAL): 10,000 letters without 30,000 requests.
    const db = new Database(harness.herald.config.database);
    db.pragma('busy_timeout = 5000');
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2499)
       INSERT INTO dead_letters (tenant_id, webhook_id, event_seq, error, attempts, failed_at, last_delivery_id)
       SELECT l.tenant_id, l.webhook_id, l.event_seq, l.error, l.attempts, l.failed_at - n.i * 1000, l.last_delivery_id
       FROM dead_letters l, n WHERE l.tenant_id = ?`,
    ).run(tenantId);
    db.close();
    assert.equal(await dlqTotal(tenantId), 10_000);

    const page = await harness.newPage({ signIn: true, tenant: tenantId, viewport: WIDE });
    await recordLongTasks(page);
    // Each visit starts from a freshly loaded Webhooks page (nothing in the console's memory), left
    // idle until it has fetched its other pages' code, as an operator opening the queue finds it.
    const firstPage: number[] = [];
    const tasks = longTaskSteps('first page', 'scrolling', 'details');
    for (let visit = 0; visit < FRESH_VISITS; visit++) {
      // A new query string: a new document, not a move within the one loaded.
      await page.goto(`${harness.baseUrl}/?visit=${visit}#/settings/webhooks`);
      await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
      await page.waitForLoadState('networkidle');
      await forgetLongTasks(page);
      firstPage.push(
        await timeClick(page, 'a[href="#/settings/dead-letter-queue"]', `document.querySelector('${ROWS}')`),
      );
      await visible(page.getByText('10,000 failed events in the queue'));
      tasks['first page'].push(...(await longTasks(page)));
    }
    const table = page.getByRole('table', { name: 'Failed events' });
    // A poll that brings nothing new changes no row in the DOM.
    assert.equal(
      await rowChangesOverTwoPolls(page, 'Failed events', '/dlq?'),
      0,
      'two polls left every row as it was',
    );
    await forgetLongTasks(page);

    // Scrolling loads more pages by itself; only the rows near the viewport are drawn.
    for (let i = 0; i < 8; i++) {
      await page.mouse.wheel(0, 6000);
      await page.waitForFunction('document.readyState === "complete"');
    }
    await eventually(
      'more pages loaded by scrolling',
      async () => (await page.getByText(/10,000 failed events in the queue · [\d,]+ loaded/).count()) > 0,
    );
    const drawn = await table.locator('tbody tr:not(.spacer-row)').count();
    const nodes = (await page.evaluate('document.getElementsByTagName("*").length')) as number;
    tasks.scrolling.push(...(await longTasks(page)));

    await page.evaluate('window.scrollTo(0, 0)');
    await forgetLongTasks(page);
    const details: number[] = [];
    const dialog = page.getByRole('dialog');
    for (const row of [1, 2, 3, 4, 5]) {
      const button = `${ROWS}[data-index="${row}"] button[title="Its attempts and the last response"]`;
      await visible(page.locator(button));
      details.push(
        await timeClick(
          page,
          button,
          `document.querySelectorAll('dialog[open] .attempt-number').length === 3`,
        ),
      );
      await page.keyboard.press('Escape');
      await gone(dialog);
    }
    tasks.details.push(...(await longTasks(page)));
    console.log(
      `10k DLQ: first page ${spread(firstPage).text} (${firstPage.map(Math.round).join(', ')}), ` +
        `details ${spread(details).text}, ${drawn} rows drawn, ${nodes} DOM nodes, ` +
        `${describeLongTasks(tasks)}, webhook ${hook.id}`,
    );
    // The page is as tall as 10,000 rows: a picture of the viewport, not of the whole page.
    await page.screenshot({ path: join(SHOTS, 'honest-07-dlq-10k.png') });
    // Times are measured and printed, not asserted (a shared machine decides them as much as the
    // console does): issue 15's targets are first page ≤ 300 ms, details ≤ 100 ms, no task > 100 ms.
    assert.ok(drawn <= 60, `${drawn} rows drawn`);
    await page.close();
  });
});
