/**
 * Endpoint health in the console (issue 15, item 2), driven in Chromium against a real Herald: the
 * webhooks table's "Last 24 hours" column, a webhook's own page with its chart and why it is down,
 * what a failed refresh shows, and a tenant with 100 webhooks. Each journey sets up its own tenant,
 * so one failing leaves the others untouched. Every figure checked on screen is first read from the
 * API (GET …/webhook-stats), so the page is held to what the server confirmed.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { WebhookStatsT, WebhookT } from '../../src/api/schemas/webhooks.js';
import { GONE_REASON } from '../../src/core/outcome.js';
import {
  type ConsoleHarness,
  ConsoleReceiver,
  eventually,
  noChromium,
  PHONE,
  shot,
  shotAt,
  startConsole,
  visible,
  WIDE,
} from '../support/console-browser.js';
import { longTasks, recordLongTasks } from '../support/page-timing.js';

describe('Endpoint health in the console', { skip: noChromium }, () => {
  let harness: ConsoleHarness;
  const healthy = new ConsoleReceiver();
  const failing = new ConsoleReceiver();
  const goneAway = new ConsoleReceiver();

  before(async () => {
    failing.status = 500;
    goneAway.status = 410;
    for (const receiver of [healthy, failing, goneAway]) await receiver.start();
    harness = await startConsole();
  });
  after(async () => {
    for (const receiver of [healthy, failing, goneAway]) await receiver.stop();
    await harness?.close();
  });

  async function createTenant(id: string): Promise<void> {
    const { status } = await harness.api('POST', '/v1/tenants', { id, name: `Health ${id}` });
    assert.equal(status, 201);
  }

  async function createWebhook(tenantId: string, body: Record<string, unknown>): Promise<WebhookT> {
    const { status, json } = await harness.api<WebhookT>('POST', `/v1/tenants/${tenantId}/webhooks`, body);
    assert.equal(status, 201);
    return json;
  }

  async function publish(tenantId: string, count: number): Promise<void> {
    for (let n = 0; n < count; n++) {
      const { status } = await harness.api('POST', `/v1/tenants/${tenantId}/events`, {
        event: 'kpi.computed',
        data: { kpi: 'revenue', value: n },
      });
      assert.equal(status, 202);
    }
  }

  async function statsOf(tenantId: string): Promise<Map<string, WebhookStatsT>> {
    const { status, json } = await harness.api<{ data: WebhookStatsT[] }>(
      'GET',
      `/v1/tenants/${tenantId}/webhook-stats`,
    );
    assert.equal(status, 200);
    return new Map(json.data.map((stats) => [stats.webhookId, stats]));
  }

  /** Waits until the API counts these attempts for each webhook; returns what it then answers. */
  async function settled(
    tenantId: string,
    expected: Record<string, { succeeded: number; failed: number }>,
  ): Promise<Map<string, WebhookStatsT>> {
    return eventually(`the attempts of ${tenantId} to be counted`, async () => {
      const stats = await statsOf(tenantId);
      const done = Object.entries(expected).every(([id, want]) => {
        const got = stats.get(id);
        return got?.succeeded === want.succeeded && got.failed === want.failed;
      });
      return done && stats;
    });
  }

  /** axe-core's violations inside the elements `selector` matches only (other lanes own the rest of the page). */
  async function axeWithin(page: Page, selector: string): Promise<string[]> {
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    return page.evaluate(
      `axe.run({ include: [...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => [e]) },
         { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
       .then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
    ) as Promise<string[]>;
  }

  function row(page: Page, url: string) {
    return page.getByRole('row').filter({ has: page.getByRole('link', { name: url, exact: true }) });
  }

  test('the webhooks table shows each webhook’s success rate, attempts and latest outcomes', async () => {
    const tenantId = 'health-table';
    await createTenant(tenantId);
    const good = await createWebhook(tenantId, {
      url: `${healthy.url}?table`,
      description: 'Warehouse sync',
    });
    const bad = await createWebhook(tenantId, { url: `${failing.url}?table` });
    const idle = await createWebhook(tenantId, { url: `${healthy.url}?idle`, events: ['dashboard.ready'] });
    await publish(tenantId, 2);
    // Two events: two successes to one; to the other, each event's three attempts (the schedule is 200ms,200ms).
    const stats = await settled(tenantId, {
      [good.id]: { succeeded: 2, failed: 0 },
      [bad.id]: { succeeded: 0, failed: 6 },
      [idle.id]: { succeeded: 0, failed: 0 },
    });
    assert.equal(stats.get(good.id)?.successRate, 1);
    assert.equal(stats.get(bad.id)?.lastSuccessAt, null);
    assert.ok(stats.get(bad.id)?.lastFailureAt);
    assert.equal(stats.get(good.id)?.hours.length, 24);

    const page = await harness.newPage({ signIn: true, tenant: tenantId });
    await page.goto(`${harness.baseUrl}/#/settings/webhooks`);
    await visible(page.getByRole('columnheader', { name: 'Last 24 hours', exact: true }));

    const goodCell = row(page, good.url).getByRole('cell').nth(2);
    await visible(goodCell.getByText('100%', { exact: true }));
    assert.match((await goodCell.textContent()) ?? '', /^100% of 2last success just now$/);
    assert.equal(await goodCell.locator('.hour-bar').count(), 24, 'one bar per hour of the window');
    assert.equal(await goodCell.locator('.hour-success').count(), 1);

    const badCell = row(page, bad.url).getByRole('cell').nth(2);
    await visible(badCell.getByText('0%', { exact: true }));
    assert.match((await badCell.textContent()) ?? '', /^0% of 6no success yet · last failure just now$/);
    assert.equal(await badCell.locator('.hour-danger').count(), 1);
    await visible(row(page, bad.url).getByText(/Failing since/));

    const idleCell = row(page, idle.url).getByRole('cell').nth(2);
    await visible(idleCell.getByText('No attempts', { exact: true }));
    assert.equal(await idleCell.textContent(), 'No attemptsno success yet');

    assert.deepEqual(await axeWithin(page, '.health-cell'), []);
    await shot(page, 'health-table');
    await shotAt(WIDE, page, 'health-table-wide');
    await shotAt(PHONE, page, 'health-table-phone');
    await page.setViewportSize(PHONE);
    assert.deepEqual(await axeWithin(page, '.health-cell'), []);
    await page.close();
  });

  test('a webhook’s page shows its health over the day, its chart and why Herald disabled it', async () => {
    const tenantId = 'health-detail';
    await createTenant(tenantId);
    const webhook = await createWebhook(tenantId, { url: goneAway.url, description: 'Legacy CRM' });
    await publish(tenantId, 1);
    const stats = await settled(tenantId, { [webhook.id]: { succeeded: 0, failed: 1 } });
    await eventually('Herald to disable the webhook that answered 410', async () => {
      const { json } = await harness.api<WebhookT>('GET', `/v1/tenants/${tenantId}/webhooks/${webhook.id}`);
      return json.status === 'disabled';
    });

    const page = await harness.newPage({ signIn: true, tenant: tenantId });
    await page.goto(`${harness.baseUrl}/#/settings/webhooks`);
    await page.getByRole('link', { name: webhook.url, exact: true }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Legacy CRM' }));
    const health = page.getByRole('region', { name: 'Health, last 24 hours' });
    const field = (label: string) =>
      health.locator('div').filter({ has: page.getByText(label, { exact: true }) });
    await visible(field('Success rate').getByText('0%', { exact: true }));
    assert.equal(await field('Attempts').locator('dd').textContent(), '1 (1 failed)');
    assert.match((await field('Last success').locator('dd').textContent()) ?? '', /None yet/);
    const lastFailure = await field('Last failure').locator('time').getAttribute('datetime');
    assert.equal(lastFailure, stats.get(webhook.id)?.lastFailureAt, 'the time the server counted');
    assert.equal(await field('Disabled reason').locator('dd').textContent(), GONE_REASON);
    await visible(page.getByText(`Disabled by Herald: ${GONE_REASON}`, { exact: false }));

    const chart = page.getByRole('img', { name: /Attempts per hour since .*: 0 succeeded, 1 failed\./ });
    await visible(chart.locator('canvas'));
    assert.match((await page.locator('.chart-legend').textContent()) ?? '', /Succeeded 0\s*Failed 1/);
    assert.deepEqual(await axeWithin(page, 'main .health-section, main .page-header'), []);
    await shot(page, 'health-detail');
    await shotAt(PHONE, page, 'health-detail-phone');

    goneAway.status = 200;
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await visible(page.getByText('Webhook enabled. New events will be delivered.'));
    const { json: enabled } = await harness.api<WebhookT>(
      'GET',
      `/v1/tenants/${tenantId}/webhooks/${webhook.id}`,
    );
    assert.equal(enabled.status, 'active', 'the server enabled it');
    await visible(page.getByRole('button', { name: 'Disable', exact: true }));
    goneAway.status = 410;
    await page.close();
  });

  test('a failed refresh keeps the last figures, says since when, and recovers by itself', async () => {
    const tenantId = 'health-offline';
    await createTenant(tenantId);
    const webhook = await createWebhook(tenantId, { url: `${healthy.url}?offline` });
    await publish(tenantId, 1);
    await settled(tenantId, { [webhook.id]: { succeeded: 1, failed: 0 } });

    const page = await harness.newPage({ signIn: true, tenant: tenantId });
    await page.goto(`${harness.baseUrl}/#/settings/webhooks`);
    const cell = row(page, webhook.url).getByRole('cell').nth(2);
    await visible(cell.getByText('100%', { exact: true }));

    await page.route('**/webhook-stats', (route) => route.abort('connectionrefused'));
    await visible(page.getByRole('alert').filter({ hasText: 'Health figures not updated' }));
    await visible(cell.getByText(/Not updated since/));
    await visible(cell.getByText('100%', { exact: true }));
    await shot(page, 'health-table-stale');

    await page.unroute('**/webhook-stats');
    await eventually('the warning to go once Herald answers again', async () => {
      return (await page.getByText(/Not updated since|Health figures not updated/).count()) === 0;
    });
    await page.close();
  });

  test('a tenant with 100 webhooks gets their health in one read', async () => {
    const tenantId = 'health-many';
    await createTenant(tenantId);
    const { status } = await harness.api('PATCH', `/v1/tenants/${tenantId}`, { limits: { maxWebhooks: 0 } });
    assert.equal(status, 200);
    for (let n = 0; n < 100; n++) {
      await createWebhook(tenantId, { url: `${healthy.url}?n=${n}`, events: ['analysis.completed'] });
    }
    await publish(tenantId, 1); // kpi.computed: none of them is subscribed
    assert.equal((await statsOf(tenantId)).size, 100);

    const page = await harness.newPage({ signIn: true, tenant: tenantId });
    await recordLongTasks(page);
    const started = Date.now();
    await page.goto(`${harness.baseUrl}/#/settings/webhooks`);
    await eventually('every row to show its health', async () => {
      return (await page.getByText('No attempts', { exact: true }).count()) === 100;
    });
    const shownMs = Date.now() - started;
    const statsTiming = (await page.evaluate(`performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/webhook-stats')).map((e) => e.duration)`)) as number[];
    const tasks = await longTasks(page);
    console.log(
      `# 100 webhooks: health shown ${shownMs} ms after navigation; webhook-stats answered in ` +
        `${statsTiming.map((ms) => ms.toFixed(1)).join(', ')} ms; long tasks ${JSON.stringify(tasks)}`,
    );
    assert.ok(statsTiming.length > 0, 'the page read the stats');
    await page.close();
  });
});
