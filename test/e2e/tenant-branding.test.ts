import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

const LOGO = 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=';

for (const backend of TEST_BACKENDS) {
  describe(`tenant branding, /me and validation words (${backend})`, () => {
    const clock = new ManualClock();
    const t = '/v1/tenants/tenant_brand';
    let herald: TestHerald;

    before(async () => {
      herald = await startTestHerald(backend, {}, { clock });
      const created = await herald.call('POST', '/v1/tenants', {
        body: { id: 'tenant_brand', name: 'Acme Corp' },
      });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.branding, {});
    });
    after(() => herald.stop());

    it('the admin sets, changes and clears branding; null returns a field to Herald', async () => {
      const set = await herald.call('PATCH', t, {
        body: { branding: { accentColor: '#0f5bd8', productName: 'Acme Analytics', logoUrl: LOGO } },
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body.branding, {
        accentColor: '#0f5bd8',
        productName: 'Acme Analytics',
        logoUrl: LOGO,
      });
      const cleared = await herald.call('PATCH', t, { body: { branding: { logoUrl: null } } });
      assert.deepEqual(cleared.body.branding, { accentColor: '#0f5bd8', productName: 'Acme Analytics' });
      assert.deepEqual((await herald.call('GET', t)).body.branding, cleared.body.branding);
    });

    it('refuses an accent too light for white text, saying the contrast it has', async () => {
      const light = await herald.call('PATCH', t, { body: { branding: { accentColor: '#7dd3fc' } } });
      assert.equal(light.status, 422);
      assert.equal(light.body.error.code, 'VALIDATION_FAILED');
      assert.match(
        light.body.error.message,
        /^body\.branding\.accentColor: #7dd3fc against white has a contrast of 1\.\d\d:1, under the 4\.5:1/,
      );
      const notHex = await herald.call('PATCH', t, { body: { branding: { accentColor: 'blue' } } });
      assert.equal(
        notHex.body.error.message,
        'body.branding.accentColor must be a colour written #rrggbb, such as #0f5bd8.',
      );
      const plainHttp = await herald.call('PATCH', t, {
        body: { branding: { logoUrl: 'http://cdn.example/logo.png' } },
      });
      assert.equal(
        plainHttp.body.error.message,
        'body.branding.logoUrl must be an https:// URL or a data:image/…;base64, URL.',
      );
    });

    it('a tenant key may not change its own branding', async () => {
      const key = await herald.call('POST', `${t}/api-keys`, { body: {} });
      const refused = await herald.call('PATCH', t, {
        key: key.body.key,
        body: { branding: { productName: 'Mine' } },
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'ADMIN_KEY_REQUIRED');
    });

    it('/me names the tenant, its branding and when the credential stops working', async () => {
      const admin = await herald.call('GET', '/v1/me');
      assert.deepEqual(admin.body, {
        role: 'admin',
        tenantId: null,
        tenantName: null,
        branding: null,
        expiresAt: null,
      });

      const forever = await herald.call('POST', `${t}/api-keys`, { body: {} });
      const me = await herald.call('GET', '/v1/me', { key: forever.body.key });
      assert.equal(me.body.tenantName, 'Acme Corp');
      assert.equal(me.body.branding.productName, 'Acme Analytics');
      assert.equal(me.body.expiresAt, null);

      const link = await herald.call('POST', `${t}/portal-links`, { body: { expiresIn: 900 } });
      const token = new URL(link.body.url).hash.replace('#token=', '');
      const portal = await herald.call('GET', '/v1/me', { key: token });
      assert.equal(portal.status, 200);
      assert.equal(portal.body.expiresAt, link.body.expiresAt);
    });

    it('words schema failures for people, with the path for programs', async () => {
      const cases: [body: unknown, message: string][] = [
        [{ url: 'https://example.com', secret: 'short' }, 'body.secret must be at least 8 characters long.'],
        [{ url: 'https://example.com', secret: 42 }, 'body.secret must be text.'],
        [{ url: '' }, 'body.url must not be empty.'],
        [
          { url: 'https://example.com', events: ['a.b', 'a.b'] },
          'body.events lists the same item twice (at 0 and 1).',
        ],
        [
          { url: 'https://example.com', events: ['Not A Type'] },
          'body.events[0] must be lower-case words of letters, digits, "_" or "-" joined by dots, such as ingestion.completed.',
        ],
        [{ url: 'https://example.com', ordering: 'lifo' }, 'body.ordering must be "none" or "fifo".'],
        [{ url: 'https://example.com', rateLimit: 0 }, 'body.rateLimit must be more than 0.'],
        [{}, 'body is missing the field "url".'],
        [{ url: 'https://example.com', colour: 'red' }, 'body has an unknown field "colour".'],
      ];
      for (const [body, message] of cases) {
        const answer = await herald.call('POST', `${t}/webhooks`, { body });
        assert.equal(answer.status, 422, JSON.stringify(body));
        assert.deepEqual(answer.body.error, { code: 'VALIDATION_FAILED', message }, JSON.stringify(body));
      }
      const nullable = await herald.call('PATCH', `${t}/webhooks/wh_none`, { body: { secret: 'abc' } });
      assert.equal(nullable.body.error.message, 'body.secret must be at least 8 characters long.');
      const empty = await herald.call('PATCH', t, { body: {} });
      assert.equal(empty.body.error.message, 'body must set at least one field.');
      const query = await herald.call('GET', `${t}/webhooks?limit=0`);
      assert.deepEqual(query.body.error, {
        code: 'INVALID_REQUEST',
        message: 'querystring.limit must be 1 or more.',
      });
    });
  });
}
