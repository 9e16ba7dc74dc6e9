/**
 * Delivery History as an operator uses it: search by the id a customer quotes, filters with the
 * server's totals, one event's attempts as a timeline, and a webhook with 100,000 attempts (written
 * straight into Herald's SQLite file) that must stay fast: first page (over several visits), details
 * and long tasks are measured inside Chromium (test/support/page-timing.ts). Each journey has its own tenant and data,
 * so a failure in one leaves the others as they were.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import type { DeliveryT } from '../../src/api/schemas/deliveries.js';
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

describe('Delivery History in Chromium', { skip: noChromium }, () => {
  let harness: ConsoleHarness;
  const receiver = new ConsoleReceiver();
  const failing = new ConsoleReceiver();

  before(async () => {
    await receiver.start();
    await failing.start();
    failing.status = 500;
    harness = await startConsole();
  });

  after(async () => {
    await harness?.close();
    await receiver.stop();
    await failing.stop();
  });

  async function tenantWithWebhooks(
    tenantId: string,
    webhooks: { url: string; description: string }[],
  ): Promise<WebhookT[]> {
    assert.equal((await harness.api('POST', '/v1/tenants', { id: tenantId, name: tenantId })).status, 201);
    const created: WebhookT[] = [];
    for (const body of webhooks) {
      const { status, json } = await harness.api<WebhookT>('POST', `/v1/tenants/${tenantId}/webhooks`, body);
      assert.equal(status, 201);
      created.push(json);
    }
    return created;
  }

  async function publish(tenantId: string, event: string, data: Record<string, unknown>): Promise<string> {
    const { status, json } = await harness.api<{ id: string }>('POST', `/v1/tenants/${tenantId}/events`, {
      event,
      data,
    });
    assert.equal(status, 202);
    return json.id;
  }

  async function history(tenantId: string, webhookId: string, query = ''): Promise<DeliveryT[]> {
    const { json } = await harness.api<{ data: DeliveryT[] }>(
      'GET',
      `/v1/tenants/${tenantId}/webhooks/${webhookId}/deliveries?limit=500${query}`,
    );
    return json.data;
  }

  async function openHistory(tenantId: string, webhookId: string): Promise<Page> {
    const page = await harness.newPage({ signIn: true, tenant: tenantId });
    await page.goto(`${harness.baseUrl}/#/settings/webhooks/${webhookId}/deliveries`);
    await visible(page.getByRole('heading', { name: 'Delivery History' }));
    return page;
  }

  const tableRows = (page: Page) =>
    page.getByRole('table', { name: 'Deliveries' }).locator('tbody tr[data-index]');
  const totalLine = (page: Page) => page.locator('.list-total');

  test('searches by event id (webhook-id) and delivery id; filters by type, status and time, with totals', async () => {
    const tenantId = 'history-search';
    const [webhook] = await tenantWithWebhooks(tenantId, [
      { url: receiver.url, description: 'Warehouse sync' },
    ]);
    assert.ok(webhook);
    for (let i = 0; i < 3; i++) await publish(tenantId, 'kpi.alert', { kpi: 'revenue', drop: i / 10 });
    await publish(tenantId, 'ingestion.completed', { jobId: 'job_1', table: 'sales', rowsIngested: 120 });
    const quoted = await publish(tenantId, 'ingestion.completed', {
      jobId: 'job_2',
      table: 'orders',
      rowsIngested: 77,
    });
    await eventually('five attempts made', async () => {
      const rows = await history(tenantId, webhook.id, '&status=succeeded');
      return rows.length === 5;
    });
    // What a receiver logged for the event the customer asks about.
    const webhookIdHeader = receiver.requests.map((r) => r.headers['webhook-id']).find((id) => id === quoted);
    assert.equal(webhookIdHeader, quoted, 'webhook-id is the event id');

    const page = await openHistory(tenantId, webhook.id);
    await eventually(
      'the total of all attempts',
      async () => (await totalLine(page).textContent())?.trim() === '5 attempts',
    );
    assert.equal(await tableRows(page).count(), 5);

    await page.getByLabel('Event type', { exact: true }).selectOption('kpi.alert');
    await eventually(
      'three kpi.alert attempts',
      async () => (await totalLine(page).textContent())?.trim() === '3 attempts match',
    );
    assert.equal(await tableRows(page).count(), 3);
    assert.equal(await tableRows(page).filter({ hasText: 'ingestion.completed' }).count(), 0);
    await page.getByRole('radio', { name: 'Failed' }).check();
    await visible(page.getByRole('heading', { name: 'No deliveries match these filters' }));
    await page.getByRole('radio', { name: 'All' }).check();
    await page.getByLabel('Event type', { exact: true }).selectOption('');

    await page.getByLabel('Search', { exact: true }).fill(webhookIdHeader);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await eventually(
      'one attempt of the quoted event',
      async () => (await totalLine(page).textContent())?.trim() === '1 attempt match',
    );
    await visible(tableRows(page).filter({ hasText: quoted }));
    assert.equal(await tableRows(page).count(), 1);
    await visible(page.getByRole('link', { name: 'View event timeline' }));
    await shotAt(WIDE, page, 'history-01-search-by-webhook-id');
    assert.deepEqual(await axeViolations(page), []);

    // A delivery id opens that attempt.
    const [attempt] = await history(tenantId, webhook.id, `&eventId=${quoted}`);
    assert.ok(attempt);
    await page.getByLabel('Search', { exact: true }).fill(attempt.id);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const details = page.getByRole('dialog', { name: 'Delivery details' });
    await visible(details.getByText(attempt.id));
    await visible(details.getByText('"rowsIngested": 77'));
    await details.getByRole('button', { name: 'Close', exact: true }).first().click();
    await page.getByRole('button', { name: 'Clear search' }).click();
    await eventually(
      'all five again',
      async () => (await totalLine(page).textContent())?.trim() === '5 attempts',
    );

    // A range before anything happened matches nothing; one around now matches all.
    await page.getByLabel('Time', { exact: true }).selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill('2020-01-01T00:00:00');
    await page.getByLabel('To', { exact: true }).fill('2020-01-02T00:00:00');
    await visible(page.getByRole('heading', { name: 'No deliveries match these filters' }));
    await page.getByLabel('Time', { exact: true }).selectOption('1h');
    await eventually(
      'the last hour holds all five',
      async () => (await totalLine(page).textContent())?.trim() === '5 attempts match',
    );
    await shot(page, 'history-02-filters');
    await shotAt(PHONE, page, 'history-02-filters-phone');
    await page.setViewportSize(PHONE);
    assert.deepEqual(await axeViolations(page), []);
  });

  test('an event page groups its attempts to each webhook into a timeline', async () => {
    const tenantId = 'history-timeline';
    const [healthy, broken] = await tenantWithWebhooks(tenantId, [
      { url: receiver.url, description: 'Analytics' },
      { url: failing.url, description: 'Billing (down)' },
    ]);
    assert.ok(healthy && broken);
    const eventId = await publish(tenantId, 'kpi.alert', { kpi: 'churn', value: 0.07 });
    // The default schedule of the harness: attempt 1 and two retries, then the dead letter queue.
    await eventually('three failed attempts to Billing', async () => {
      const rows = await history(tenantId, broken.id, '&status=failed');
      return rows.length === 3;
    });

    const page = await openHistory(tenantId, broken.id);
    await tableRows(page).first().getByRole('link', { name: eventId }).click();
    await visible(page.getByRole('heading', { name: 'Event', exact: true }));
    const billing = page.getByRole('region', { name: 'Billing (down)' });
    const analytics = page.getByRole('region', { name: 'Analytics' });
    await visible(billing.getByRole('heading', { name: 'Billing (down)' }));
    const billingAttempts = billing.getByRole('listitem');
    assert.equal(await billingAttempts.count(), 3);
    for (const [index, item] of (await billingAttempts.all()).entries()) {
      assert.match((await item.textContent()) ?? '', new RegExp(`Attempt #${index + 1}.*Failed.*500`));
    }
    assert.equal(await analytics.getByRole('listitem').count(), 1);
    await visible(analytics.getByRole('listitem').getByText('Succeeded'));
    await visible(page.getByText(eventId, { exact: true }).first());
    await page.getByRole('button', { name: 'Details of attempt 3 to Billing (down)' }).click();
    const details = page.getByRole('dialog', { name: 'Delivery details' });
    await visible(details.getByText('receiver is down for maintenance'));
    await shot(page, 'history-03-event-details');
    await details.getByRole('button', { name: 'Close', exact: true }).first().click();
    await shotAt(WIDE, page, 'history-03-event-timeline');
    assert.deepEqual(await axeViolations(page), []);
    await shotAt(PHONE, page, 'history-03-event-timeline-phone');
    await page.setViewportSize(PHONE);
    assert.deepEqual(await axeViolations(page), []);
  });

  test('100,000 attempts: windowed rows, a poll redraws no row; first page, details, long tasks timed', async () => {
    const tenantId = 'history-scale';
    const [webhook] = await tenantWithWebhooks(tenantId, [{ url: receiver.url, description: 'Firehose' }]);
    assert.ok(webhook);
    const attempts = 100_000;
    const seeded = seedAttempts(harness.herald.config.database, tenantId, webhook.id, attempts);

    const page = await harness.newPage({ signIn: true, tenant: tenantId });
    await recordLongTasks(page);
    const firstRow = `document.querySelector('table[aria-label="Deliveries"] tbody tr[data-index]')`;
    // Each visit starts from a freshly loaded Webhooks page (nothing in the console's memory), left
    // idle until it has fetched its other pages' code, as an operator opening the history finds it.
    const firstPage: number[] = [];
    const tasks = longTaskSteps('first page', 'details', 'polls and scrolling');
    for (let visit = 0; visit < FRESH_VISITS; visit++) {
      // A new query string: a new document, not a move within the one loaded.
      await page.goto(`${harness.baseUrl}/?visit=${visit}#/settings/webhooks`);
      const historyButton = page.getByRole('row').filter({ hasText: receiver.url }).getByRole('button', {
        name: 'Delivery History',
      });
      await visible(historyButton);
      await page.waitForLoadState('networkidle');
      await historyButton.evaluate((button) => button.setAttribute('data-probe', 'history'));
      await forgetLongTasks(page);
      firstPage.push(await timeClick(page, '[data-probe="history"]', firstRow));
      await eventually('the server total', async () =>
        (await totalLine(page).textContent())?.includes('100,000 attempts'),
      );
      tasks['first page'].push(...(await longTasks(page)));
    }

    // Windowed: a screenful of rows in the DOM, not the page of 100 the server sent.
    const drawn = await tableRows(page).count();
    assert.ok(drawn > 5 && drawn <= 40, `${drawn} rows drawn`);

    await forgetLongTasks(page);
    const details: number[] = [];
    const dialog = page.getByRole('dialog', { name: 'Delivery details' });
    for (const row of [0, 1, 2, 3, 4]) {
      const button = `table[aria-label="Deliveries"] tbody tr[data-index="${row}"] button[aria-label^="Details of attempt"]`;
      await visible(page.locator(button));
      details.push(
        await timeClick(page, button, `document.querySelector('dialog[open] .detail-section h3')`),
      );
      if (row === 0) await visible(dialog.getByText(seeded.newestEventId));
      await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
      await gone(dialog);
    }
    tasks.details.push(...(await longTasks(page)));
    await forgetLongTasks(page);

    // A poll that brings nothing new changes no row in the DOM.
    const mutations = await rowChangesOverTwoPolls(page, 'Deliveries', '/deliveries?');
    assert.equal(mutations, 0, 'two polls with nothing new left every row as it was');

    // Scrolling far down loads the next pages by itself, still drawing only what is in view.
    for (let i = 0; i < 6; i++) {
      await page.mouse.wheel(0, 4_000);
      await eventually('rows drawn after scrolling', async () => (await tableRows(page).count()) > 0);
    }
    await eventually('a second page loaded', async () =>
      /newest [\d,]+ loaded/.test((await totalLine(page).textContent()) ?? ''),
    );
    const drawnAfterScroll = await tableRows(page).count();
    assert.ok(drawnAfterScroll <= 40, `${drawnAfterScroll} rows drawn after scrolling`);
    tasks['polls and scrolling'].push(...(await longTasks(page)));
    // The page is 100,000 rows tall: the viewport, not the full page.
    await page.setViewportSize(WIDE);
    await page.screenshot({ path: join(SHOTS, 'history-04-100k-attempts.png'), animations: 'disabled' });

    console.log(
      `100k attempts: first page ${spread(firstPage).text} (${firstPage.map(Math.round).join(', ')}), ` +
        `details ${spread(details).text}, ${describeLongTasks(tasks)}, rows drawn ${drawn}`,
    );
    // Times are measured and printed, not asserted (a shared machine decides them as much as the
    // console does): issue 15's targets are first page ≤ 300 ms, details ≤ 100 ms, no task > 100 ms.
  });
});

/**
 * Writes `count` settled attempts of as many events to the webhook, straight into the SQLite file
 * Herald serves (publishing 100,000 events through the API would test the publisher, not the
 * console). Newest event last; answers its id.
 */
function seedAttempts(
  file: string,
  tenantId: string,
  webhookId: string,
  count: number,
): { newestEventId: string } {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    const now = Date.now();
    const types = ['ingestion.completed', 'ingestion.failed', 'kpi.alert', 'dashboard.ready'];
    db.transaction(() => {
      const firstSeq =
        ((db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events').get() as { seq: number }).seq ?? 0) +
        1;
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count)
         INSERT INTO events (seq, tenant_id, id, event, payload, timestamp, deliveries)
         SELECT :firstSeq + i, :tenantId, 'evt_seed_' || i,
           json_extract(:types, '$[' || (i % 4) || ']'),
           CAST('{"event":"' || json_extract(:types, '$[' || (i % 4) || ']') || '","data":{"n":' || i || '}}' AS BLOB),
           :start + i * 10, 1
         FROM n`,
      ).run({ count, firstSeq, tenantId, types: JSON.stringify(types), start: now - count * 10 });
      db.prepare(
        `INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, status_code,
           response_time_ms, response_body, error, created_at, attempted_at, next_attempt_at, lease, request_headers)
         SELECT :tenantId, :webhookId, seq, 1, 'event',
           CASE WHEN seq % 7 = 0 THEN 'failed' ELSE 'succeeded' END,
           CASE WHEN seq % 7 = 0 THEN 503 ELSE 200 END,
           20 + seq % 180,
           CASE WHEN seq % 7 = 0 THEN '{"error":"busy"}' ELSE '{"ok":true}' END,
           CASE WHEN seq % 7 = 0 THEN 'HTTP 503' ELSE NULL END,
           timestamp, timestamp + 15, NULL, NULL, NULL
         FROM events WHERE tenant_id = :tenantId AND seq >= :firstSeq ORDER BY seq`,
      ).run({ tenantId, webhookId, firstSeq });
    })();
  } finally {
    db.close();
  }
  return { newestEventId: `evt_seed_${count - 1}` };
}
