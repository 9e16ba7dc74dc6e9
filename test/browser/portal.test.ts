/**
 * The console as a tenant's people meet it through a portal link, and the polish every screen owes
 * them: the tenant's name and the admin's branding, a warning before the link runs out and a message
 * (not a sign-in form) after, words instead of validator text, a phone header that folds away,
 * secrets that can be removed and rotated with a grace period, and no axe-core violation on any
 * screen at 1440×900 or 390×844. Each journey makes its own tenant, so one failing leaves the others
 * standing. Screenshots land in test-artifacts/screenshots/ (or HERALD_SCREENSHOTS), named 40-…
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TenantT } from '../../src/api/schemas/tenants.js';
import type { WebhookT } from '../../src/api/schemas/webhooks.js';
import {
  type AxeViolation,
  axeViolations,
  type ConsoleHarness,
  ConsoleReceiver,
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

/** A 28×28 square logo, inline so the console loads nothing from another host. */
const LOGO = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><rect width="28" height="28" rx="6" fill="#7a1f5c"/><circle cx="14" cy="14" r="6" fill="#fff"/></svg>',
).toString('base64')}`;

/** The stylesheet's own accent, worn when no branding is set. */
const HERALD_ACCENT = '#4f46e5';

describe('Portal and polish in Chromium', { skip: noChromium }, () => {
  let harness: ConsoleHarness;
  const receiver = new ConsoleReceiver();

  before(async () => {
    await receiver.start();
    harness = await startConsole();
  });

  after(async () => {
    await harness?.close();
    await receiver.stop();
  });

  async function createTenant(id: string, name: string, branding?: TenantT['branding']): Promise<void> {
    const created = await harness.api('POST', '/v1/tenants', { id, name });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    if (branding) {
      const patched = await harness.api('PATCH', `/v1/tenants/${id}`, { branding });
      assert.equal(patched.status, 200, JSON.stringify(patched.json));
    }
  }

  async function portalLink(
    tenantId: string,
    expiresIn: number,
  ): Promise<{ url: string; expiresAt: string }> {
    const { status, json } = await harness.api<{ url: string; expiresAt: string }>(
      'POST',
      `/v1/tenants/${tenantId}/portal-links`,
      { expiresIn },
    );
    assert.equal(status, 201);
    return json;
  }

  async function createWebhook(tenantId: string, body: Record<string, unknown>): Promise<WebhookT> {
    const { status, json } = await harness.api<WebhookT>('POST', `/v1/tenants/${tenantId}/webhooks`, body);
    assert.equal(status, 201, JSON.stringify(json));
    return json;
  }

  async function getWebhook(tenantId: string, id: string): Promise<WebhookT> {
    return (await harness.api<WebhookT>('GET', `/v1/tenants/${tenantId}/webhooks/${id}`)).json;
  }

  const accentOf = (page: Page) =>
    page.evaluate<string>(`getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()`);

  test("a portal link shows the tenant's name and branding, warns before it expires, then says so", async () => {
    await createTenant('northwind', 'Northwind Traders', {
      accentColor: '#7a1f5c',
      productName: 'Northwind Data',
      logoUrl: LOGO,
    });
    await createWebhook('northwind', { url: `${receiver.url}?nw=1`, description: 'Orders to the warehouse' });
    const link = await portalLink('northwind', 240);

    const page = await harness.newPage();
    // The browser's clock, so the expiry can be reached without waiting four minutes.
    await page.clock.install();
    await page.goto(link.url);
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));

    const sidebar = page.getByRole('complementary');
    await visible(sidebar.getByText('Northwind Traders').filter({ visible: true }));
    await visible(sidebar.getByText('Northwind Data'));
    assert.equal(await sidebar.locator('img.logo-image').getAttribute('src'), LOGO);
    assert.equal(await page.title(), 'Manage Webhooks · Northwind Data');
    assert.equal(await accentOf(page), '#7a1f5c');
    const registerColour = await page.evaluate<string>(
      `getComputedStyle(document.querySelector('.page-header .button-primary')).backgroundColor`,
    );
    assert.equal(registerColour, 'rgb(122, 31, 92)', 'the primary button wears the accent');

    const banner = page.getByRole('status').filter({ hasText: 'This link stops working' });
    await visible(banner);
    assert.match((await banner.textContent()) ?? '', /stops working in 4 minutes, at \d\d:\d\d\./);
    assert.match((await banner.textContent()) ?? '', /open the webhook settings in Northwind Data again/);
    await shotAt(WIDE, page, '40-portal-branded-expiry-warning');
    await shotAt(PHONE, page, '41-portal-branded-phone');

    // What someone is typing stays on screen until the link really runs out.
    await page.getByRole('button', { name: 'Register Webhook' }).first().click();
    await page.getByLabel('URL', { exact: true }).fill('https://example.com/typed');
    await page.clock.fastForward('02:00');
    await visible(page.getByText('stops working in 2 minutes'));
    assert.equal(await page.getByLabel('URL', { exact: true }).inputValue(), 'https://example.com/typed');

    await page.clock.fastForward('02:05');
    await visible(page.getByRole('heading', { name: 'This link has expired. Ask for a new one.' }));
    assert.equal(await page.getByLabel('API key').count(), 0, 'no sign-in form for someone from a product');
    assert.equal(await page.getByRole('button', { name: /sign in/i }).count(), 0);
    await visible(page.getByText('Northwind Data'));
    assert.equal(await page.evaluate('sessionStorage.getItem("herald.key")'), null);
    await shot(page, '42-portal-expired-after-warning');
  });

  test('signing out of a portal session points back to the product, not to a key form', async () => {
    await createTenant('contoso', 'Contoso Ltd');
    const link = await portalLink('contoso', 3600);
    const page = await harness.newPage();
    await page.goto(link.url);
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
    await visible(page.getByRole('complementary').getByText('Contoso Ltd').filter({ visible: true }));
    assert.equal(await page.getByText('This link stops working').count(), 0, 'no warning an hour ahead');
    assert.equal(await accentOf(page), HERALD_ACCENT, "no branding set: Herald's own colours");

    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible(page.getByRole('heading', { name: 'You signed out.' }));
    assert.equal(await page.getByLabel('API key').count(), 0);
    await visible(page.getByText('open the webhook settings in your product'));
  });

  test('an admin brands a tenant in Tenants; a colour too light is refused in words by the field', async () => {
    await createTenant('fabrikam', 'Fabrikam');
    const page = await harness.newPage({ signIn: true, tenant: 'fabrikam' });
    await page.goto(`${harness.baseUrl}/#/tenants`);
    const row = page.getByRole('row').filter({ hasText: 'fabrikam' });
    await row.getByRole('button', { name: 'Branding' }).click();
    const dialog = page.getByRole('dialog', { name: 'Branding for Fabrikam' });
    await visible(dialog);
    await dialog.getByLabel('Product name').fill('Fabrikam Cloud');
    await dialog.getByLabel('Accent colour', { exact: true }).fill('#7dd3fc');
    await dialog.getByRole('button', { name: 'Save branding' }).click();
    const error = dialog.getByRole('alert');
    await visible(error);
    assert.match(
      (await error.textContent()) ?? '',
      /^Accent colour: #7dd3fc against white has a contrast of 1\.\d\d:1, under the 4\.5:1 that text needs/,
    );
    assert.equal(
      await dialog.getByLabel('Accent colour', { exact: true }).getAttribute('aria-invalid'),
      'true',
    );
    await shot(page, '43-branding-refused-colour');

    await dialog.getByLabel('Accent colour', { exact: true }).fill('#0f5bd8');
    await dialog.getByLabel('Logo URL').fill(LOGO);
    await dialog.getByRole('button', { name: 'Save branding' }).click();
    await gone(dialog);
    const stored = await harness.api<TenantT>('GET', '/v1/tenants/fabrikam');
    assert.deepEqual(stored.json.branding, {
      productName: 'Fabrikam Cloud',
      accentColor: '#0f5bd8',
      logoUrl: LOGO,
    });

    // Emptying a field gives it back to Herald.
    await row.getByRole('button', { name: 'Branding' }).click();
    assert.equal(await dialog.getByLabel('Product name').inputValue(), 'Fabrikam Cloud');
    await dialog.getByLabel('Logo URL').fill('');
    await dialog.getByRole('button', { name: 'Save branding' }).click();
    await gone(dialog);
    const cleared = await harness.api<TenantT>('GET', '/v1/tenants/fabrikam');
    assert.deepEqual(cleared.json.branding, { productName: 'Fabrikam Cloud', accentColor: '#0f5bd8' });
    // The admin's own console keeps Herald's colours whatever a tenant wears.
    assert.equal(await accentOf(page), HERALD_ACCENT);
  });

  test('an admin issues a portal link in Tenants for the length of time chosen, and it signs in', async () => {
    await createTenant('adventure-works', 'Adventure Works');
    const page = await harness.newPage({ signIn: true, tenant: 'adventure-works' });
    await page.goto(`${harness.baseUrl}/#/tenants`);
    await page
      .getByRole('row')
      .filter({ hasText: 'adventure-works' })
      .getByRole('button', { name: 'Portal link' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Portal link for adventure-works' });
    await dialog.getByLabel('Expires after').selectOption({ label: '15 minutes' });
    const asked = Date.now();
    const answer = page.waitForResponse((response) =>
      response.url().endsWith('/v1/tenants/adventure-works/portal-links'),
    );
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const issued = (await (await answer).json()) as { url: string; expiresAt: string };
    const lasts = Date.parse(issued.expiresAt) - asked;
    assert.ok(lasts > 14 * 60_000 && lasts <= 15 * 60_000 + 5_000, `the link lasts 15 minutes (${lasts} ms)`);
    assert.equal(await dialog.getByLabel('Link').inputValue(), issued.url);
    await visible(dialog.getByText(/^Works until /));

    const visitor = await harness.newPage();
    await visitor.goto(issued.url);
    await visible(visitor.getByRole('heading', { name: 'Manage Webhooks' }));
    await visible(visitor.getByRole('complementary').getByText('Adventure Works').filter({ visible: true }));
    await visitor.close();
  });

  test('validation errors read as sentences beside their field, not validator text', async () => {
    await createTenant('tailspin', 'Tailspin Toys');
    const page = await harness.newPage({ signIn: true, tenant: 'tailspin' });
    await page.goto(`${harness.baseUrl}/#/settings/webhooks/new`);
    await page.getByLabel('URL', { exact: true }).fill(receiver.url);
    await page.getByLabel('Secret').fill('short');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const error = page.locator('#secret-error');
    await visible(error);
    assert.equal(await error.textContent(), 'Secret must be at least 8 characters long.');
    assert.equal(await page.evaluate('document.activeElement.id'), 'webhook-secret', 'the field is focused');
    await shot(page, '44-validation-in-words');
  });

  test('Edit reveals, rotates and removes the secret, the old one signing through a grace period', async () => {
    await createTenant('wingtip', 'Wingtip');
    const hook = await createWebhook('wingtip', {
      url: receiver.url,
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    const page = await harness.newPage({ signIn: true, tenant: 'wingtip' });
    await page.goto(`${harness.baseUrl}/#/settings/webhooks/${hook.id}/edit`);
    await visible(page.getByText('A secret is set.'));

    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate secret' });
    await dialog.getByLabel('Grace period').selectOption({ label: '1 hour' });
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    await visible(dialog.getByRole('button', { name: 'Done' }));
    const shown = dialog.getByLabel('New secret');
    const newSecret = await shown.inputValue();
    assert.match(newSecret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
    await visible(dialog.getByText(/The previous secret also signs until/));
    await shot(page, '45-rotate-secret-shown-once');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await gone(dialog);

    const rotated = await getWebhook('wingtip', hook.id);
    const graceLeft = Date.parse(rotated.previousSecretExpiresAt ?? '') - Date.now();
    assert.ok(graceLeft > 59 * 60_000 && graceLeft <= 3600_000, `grace period of an hour (${graceLeft} ms)`);
    const grace = page
      .getByRole('status')
      .filter({ hasText: 'The previous secret also signs deliveries until' });
    await visible(grace);
    await shotAt(WIDE, page, '46-edit-secret-grace');

    // Reveal reads the secret Herald signs with now: the rotated one.
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    assert.equal(await page.getByLabel('Current secret').inputValue(), newSecret);
    await page.getByRole('button', { name: 'Hide secret' }).click();
    await gone(page.getByLabel('Current secret'));

    await grace.getByRole('button', { name: 'Stop the previous secret now' }).click();
    await gone(grace);
    const stopped = await getWebhook('wingtip', hook.id);
    assert.ok(
      Date.parse(stopped.previousSecretExpiresAt ?? '0') <= Date.now(),
      'the previous secret stopped',
    );

    await page.getByRole('button', { name: 'Remove secret' }).click();
    await visible(page.getByText('Save removes the secret'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('heading', { name: 'Manage Webhooks' }));
    assert.equal((await getWebhook('wingtip', hook.id)).hasSecret, false);
  });

  test('at phone width the header is one bar; Menu opens the pages over the content', async () => {
    await createTenant('litware', 'Litware');
    const page = await harness.newPage({ signIn: true, tenant: 'litware', viewport: PHONE, isMobile: true });
    await page.goto(`${harness.baseUrl}/#/settings/webhooks`);
    await visible(page.getByRole('heading', { name: 'No webhooks yet' }));
    const header = await page.getByRole('complementary').boundingBox();
    assert.ok(header && header.height <= 64, `the phone header is ${header?.height} px tall`);
    const dlqLink = page.getByRole('link', { name: 'Dead Letter Queue' });
    assert.equal(await dlqLink.isVisible(), false, 'the pages are folded away');
    await shot(page, '47-phone-header-folded');

    const menu = page.getByRole('button', { name: 'Menu' });
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await menu.click();
    await visible(dlqLink);
    assert.equal(
      await page.getByRole('button', { name: 'Close menu' }).getAttribute('aria-expanded'),
      'true',
    );
    await shot(page, '48-phone-menu-open');
    await dlqLink.click();
    await visible(page.getByRole('heading', { name: 'Dead Letter Queue' }));
    assert.equal(await dlqLink.isVisible(), false, 'choosing a page folds the menu');
  });

  /** Two webhooks of `tenantId`, one failing into the DLQ, so every screen has rows to show. */
  async function seedScreens(tenantId: string, failing: ConsoleReceiver): Promise<WebhookT> {
    await createTenant(tenantId, `Adatum ${tenantId}`);
    const ok = await createWebhook(tenantId, {
      url: receiver.url,
      description: 'Billing sync',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    await createWebhook(tenantId, { url: failing.url, description: 'Flaky CRM', events: ['kpi.alert'] });
    for (const event of ['kpi.alert', 'ingestion.completed']) {
      const published = await harness.api('POST', `/v1/tenants/${tenantId}/events`, {
        event,
        data: { n: 1 },
      });
      assert.equal(published.status, 202);
    }
    await eventually('a dead letter for the failing webhook', async () => {
      const dlq = await harness.api<{ data: unknown[] }>('GET', `/v1/tenants/${tenantId}/dlq`);
      return dlq.json.data.length > 0;
    });
    return ok;
  }

  for (const [size, viewport, tenantId] of [
    ['1440×900', WIDE, 'adatum-wide'],
    ['390×844', PHONE, 'adatum-phone'],
  ] as const) {
    test(`axe-core finds no violation on any screen at ${size}`, async () => {
      const failing = new ConsoleReceiver();
      await failing.start();
      failing.status = 500;
      try {
        const ok = await seedScreens(tenantId, failing);
        const base = harness.baseUrl;
        const found: { screen: string; violations: AxeViolation[] }[] = [];
        const check = async (page: Page, screen: string) => {
          const violations = await axeViolations(page);
          if (violations.length > 0) found.push({ screen, violations });
        };
        const screens: [name: string, open: (page: Page) => Promise<unknown>][] = [
          [
            'Manage Webhooks',
            async (p) => {
              await p.goto(`${base}/#/settings/webhooks`);
              await visible(p.getByRole('row').filter({ hasText: ok.url }));
            },
          ],
          [
            'Register Webhook',
            async (p) => {
              await p.goto(`${base}/#/settings/webhooks/new`);
              await visible(p.getByRole('heading', { name: 'Register Webhook' }));
            },
          ],
          [
            'Edit webhook',
            async (p) => {
              await p.goto(`${base}/#/settings/webhooks/${ok.id}/edit`);
              await visible(p.getByText('A secret is set.'));
            },
          ],
          [
            'Webhook page',
            async (p) => {
              await p.goto(`${base}/#/settings/webhooks/${ok.id}`);
              await visible(p.getByRole('heading', { level: 1, name: 'Billing sync' }));
              await visible(p.getByRole('region', { name: 'Health, last 24 hours' }));
            },
          ],
          [
            'Event page',
            async (p) => {
              const { json } = await harness.api<{ data: { eventId: string }[] }>(
                'GET',
                `/v1/tenants/${tenantId}/webhooks/${ok.id}/deliveries`,
              );
              await p.goto(`${base}/#/settings/events/${json.data[0]?.eventId}`);
              await visible(p.getByRole('heading', { name: 'Event', exact: true }));
            },
          ],
          [
            'Delivery History',
            async (p) => {
              await p.goto(`${base}/#/settings/webhooks/${ok.id}/deliveries`);
              await visible(p.getByRole('cell').filter({ hasText: 'ingestion.completed' }));
            },
          ],
          [
            'Delivery details',
            async (p) => {
              await p
                .getByRole('button', { name: /details/i })
                .first()
                .click();
              await visible(p.getByRole('dialog'));
            },
          ],
          [
            'Dead Letter Queue',
            async (p) => {
              await p.goto(`${base}/#/settings/dead-letter-queue`);
              await visible(p.getByRole('row').filter({ hasText: 'kpi.alert' }));
            },
          ],
          [
            'Event Types',
            async (p) => {
              await p.goto(`${base}/#/settings/event-types`);
              await visible(p.getByText('ingestion.completed').first());
            },
          ],
          [
            'Tenants',
            async (p) => {
              await p.goto(`${base}/#/tenants`);
              await visible(p.getByRole('row').filter({ hasText: tenantId }));
            },
          ],
          [
            'Branding dialog',
            async (p) => {
              await p
                .getByRole('row')
                .filter({ hasText: tenantId })
                .getByRole('button', { name: 'Branding' })
                .click();
              await visible(p.getByRole('dialog', { name: `Branding for Adatum ${tenantId}` }));
            },
          ],
          [
            'Not found',
            async (p) => {
              await p.goto(`${base}/#/nowhere`);
              await visible(p.getByRole('heading', { name: 'This page does not exist' }));
            },
          ],
        ];
        if (viewport === PHONE) {
          screens.push([
            'Phone menu open',
            async (p) => {
              await p.goto(`${base}/#/settings/webhooks`);
              await p.getByRole('button', { name: 'Menu' }).click();
              await visible(p.getByRole('link', { name: 'Dead Letter Queue' }));
            },
          ]);
        }
        const admin = await harness.newPage({ signIn: true, tenant: tenantId, viewport });
        for (const [name, open] of screens) {
          await open(admin);
          await check(admin, name);
        }

        // One tab without a key: the sign-in page, a portal session, then a link that is not valid.
        const visitor = await harness.newPage({ viewport });
        await visitor.goto(base);
        await visible(visitor.getByRole('heading', { name: 'Sign in to your webhook console' }));
        await check(visitor, 'Sign in');
        const link = await portalLink(tenantId, 240);
        await visitor.goto(link.url);
        await visible(visitor.getByText('This link stops working'));
        await check(visitor, 'Portal with expiry warning');
        await visitor.evaluate('sessionStorage.clear()');
        await visitor.goto(`${base}/portal`);
        await visible(visitor.getByRole('heading', { name: 'This link is not valid. Ask for a new one.' }));
        await check(visitor, 'Invalid link');
        assert.deepEqual(found, []);
      } finally {
        await failing.stop();
      }
    });
  }

  test('loaded nothing from the network and threw no errors', () => {
    assert.deepEqual(harness.foreignRequests, []);
    assert.deepEqual(harness.pageErrors, []);
  });
});
