/**
 * API keys and tenants that stop working: listed, revoked, expired, deleted, as clients see it,
 * including a second Herald process on the same database (PostgreSQL tells it at once through
 * NOTIFY; SQLite, which cannot, within RECHECK_AFTER_MS).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RECHECK_AFTER_MS } from '../../src/api/auth.js';
import { startHerald } from '../../src/app.js';
import { ManualClock } from '../../src/core/clock.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, TestHerald } from '../support/herald.js';

const HOUR = 3_600_000;

function assertError(response: { status: number; body: any }, status: number, code: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body?.error?.code, code, JSON.stringify(response.body));
}

for (const backend of TEST_BACKENDS) {
  describe(`API key and tenant lifecycle (${backend})`, () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    let herald: TestHerald;
    /** Another process's API on the same database, with a clock of its own that stands still. */
    let second: TestHerald;
    const secondClock = new ManualClock(Date.UTC(2026, 0, 1));

    before(async () => {
      herald = await startTestHerald(backend, {}, { clock });
      const started = await startHerald({
        config: { ...herald.herald.config, port: 0 },
        workers: false,
        clock: secondClock,
        announce: () => undefined,
      });
      second = new TestHerald(started, async () => undefined);
      for (const id of ['tenant_keys', 'tenant_gone', 'tenant_kept']) {
        assert.equal((await herald.call('POST', '/v1/tenants', { body: { id } })).status, 201);
      }
    });
    after(async () => {
      await second.stop();
      await herald.stop();
    });

    async function newKey(tenantId: string, body: Record<string, unknown> = {}) {
      const created = await herald.call('POST', `/v1/tenants/${tenantId}/api-keys`, { body });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body as { id: string; key: string; prefix: string; expiresAt: string | null };
    }

    it('lists keys with prefix, expiry and last use, never the key or its hash', async () => {
      const plain = await newKey('tenant_keys', { name: 'ci' });
      const expiring = await newKey('tenant_keys', { name: 'temp', expiresIn: 3600 });
      assert.equal(plain.prefix, plain.key.slice(0, 9));
      assert.equal(plain.expiresAt, null);
      assert.equal(expiring.expiresAt, new Date(clock.now() + HOUR).toISOString());
      assert.equal(
        (await herald.call('GET', '/v1/tenants/tenant_keys/webhooks', { key: plain.key })).status,
        200,
      );

      const listed = await herald.call('GET', '/v1/tenants/tenant_keys/api-keys');
      assert.equal(listed.status, 200);
      const shown = listed.body.data.find((key: { id: string }) => key.id === plain.id);
      assert.deepEqual(Object.keys(shown).sort(), [
        'createdAt',
        'expiresAt',
        'id',
        'lastUsedAt',
        'name',
        'prefix',
        'tenantId',
      ]);
      // Written after the request, off its path.
      await eventually(async () => {
        const keys = (await herald.call('GET', '/v1/tenants/tenant_keys/api-keys')).body.data;
        const used = keys.find((key: { id: string }) => key.id === plain.id).lastUsedAt;
        return used === new Date(clock.now()).toISOString() ? true : undefined;
      }, 'the last use to be recorded');
      assert.ok(!JSON.stringify(listed.body).includes(plain.key), 'the key is never shown again');
      assertError(
        await herald.call('GET', '/v1/tenants/tenant_keys/api-keys', { key: plain.key }),
        403,
        'ADMIN_KEY_REQUIRED',
      );
    });

    it('takes expiresAt in the future, and not with expiresIn', async () => {
      const at = new Date(clock.now() + 2 * HOUR).toISOString();
      assert.equal((await newKey('tenant_keys', { expiresAt: at })).expiresAt, at);
      const past = new Date(clock.now() - 1).toISOString();
      for (const body of [{ expiresAt: past }, { expiresAt: at, expiresIn: 60 }, { expiresIn: 59 }]) {
        assertError(
          await herald.call('POST', '/v1/tenants/tenant_keys/api-keys', { body }),
          422,
          'VALIDATION_FAILED',
        );
      }
    });

    it('refuses a key once it has expired', async () => {
      const { key } = await newKey('tenant_keys', { expiresIn: 60 });
      assert.equal((await herald.call('GET', '/v1/me', { key })).status, 200);
      clock.advance(60_000);
      assertError(await herald.call('GET', '/v1/me', { key }), 401, 'UNAUTHORIZED');
    });

    it('refuses a revoked key at once, here and in the other process', async () => {
      const { id, key } = await newKey('tenant_keys');
      assert.equal((await herald.call('GET', '/v1/me', { key })).status, 200);
      assert.equal((await second.call('GET', '/v1/me', { key })).status, 200, 'remembered by both');

      const revoked = await herald.call('DELETE', `/v1/tenants/tenant_keys/api-keys/${id}`);
      assert.equal(revoked.status, 204);
      assertError(await herald.call('GET', '/v1/me', { key }), 401, 'UNAUTHORIZED');
      if (backend === 'postgres') {
        // Told by NOTIFY: the other process's clock stands still, so no re-read after a delay did it.
        await eventually(
          async () => ((await second.call('GET', '/v1/me', { key })).status === 401 ? true : undefined),
          'the other process to refuse the revoked key',
          2_000,
        );
      } else {
        // Another process on one SQLite file cannot be told: it reads the key again after a second.
        secondClock.advance(RECHECK_AFTER_MS);
      }
      assertError(await second.call('GET', '/v1/me', { key }), 401, 'UNAUTHORIZED');
      assertError(
        await herald.call('DELETE', `/v1/tenants/tenant_keys/api-keys/${id}`),
        404,
        'API_KEY_NOT_FOUND',
      );
      assertError(
        await herald.call('DELETE', '/v1/tenants/tenant_kept/api-keys/key_nope'),
        404,
        'API_KEY_NOT_FOUND',
      );
    });

    it('deletes a tenant: gone from every read, its keys and publishes refused, its rows purged', async () => {
      const { key } = await newKey('tenant_gone');
      const kept = await newKey('tenant_kept');
      const hook = await herald.call('POST', '/v1/tenants/tenant_gone/webhooks', {
        key,
        body: { url: 'http://127.0.0.1:9/hook', events: [] },
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const event = { id: 'evt_1', event: 'kpi.alert', data: { n: 1 } };
      assert.equal(
        (await herald.call('POST', '/v1/tenants/tenant_gone/events', { key, body: event })).status,
        202,
      );
      assert.equal((await second.call('GET', '/v1/me', { key })).status, 200);

      assertError(await herald.call('DELETE', '/v1/tenants/tenant_gone', { key }), 403, 'ADMIN_KEY_REQUIRED');
      assert.equal((await herald.call('DELETE', '/v1/tenants/tenant_gone')).status, 204);
      assertError(await herald.call('GET', '/v1/tenants/tenant_gone'), 404, 'TENANT_NOT_FOUND');
      assertError(await herald.call('DELETE', '/v1/tenants/tenant_gone'), 404, 'TENANT_NOT_FOUND');
      const tenants = (await herald.call('GET', '/v1/tenants')).body.data.map((t: { id: string }) => t.id);
      assert.ok(!tenants.includes('tenant_gone'));
      assertError(await herald.call('GET', '/v1/me', { key }), 401, 'UNAUTHORIZED');
      assertError(
        await herald.call('POST', '/v1/tenants/tenant_gone/events', { body: event }),
        404,
        'TENANT_NOT_FOUND',
      );
      if (backend === 'sqlite') secondClock.advance(RECHECK_AFTER_MS);
      await eventually(
        async () => ((await second.call('GET', '/v1/me', { key })).status === 401 ? true : undefined),
        'the other process to refuse the deleted tenant key',
        2_000,
      );
      assertError(await second.call('GET', '/v1/tenants/tenant_gone/webhooks'), 404, 'TENANT_NOT_FOUND');
      assert.equal((await herald.call('GET', '/v1/me', { key: kept.key })).status, 200, 'others untouched');

      // The workers purge it in the background: its id is taken (409) until they are done.
      await eventually(async () => {
        const again = await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_gone' } });
        assert.ok([201, 409].includes(again.status), JSON.stringify(again.body));
        return again.status === 201 ? true : undefined;
      }, 'the id to be free once its rows are gone');
      const fresh = await newKey('tenant_gone');
      const republished = await herald.call('POST', '/v1/tenants/tenant_gone/events', {
        key: fresh.key,
        body: event,
      });
      assert.equal(republished.status, 202);
      assert.notEqual(republished.headers['idempotent-replayed'], 'true', 'none of its events are left');
      assert.deepEqual((await herald.call('GET', '/v1/tenants/tenant_gone/webhooks')).body.data, []);
    });
  });
}
