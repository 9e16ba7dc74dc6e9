import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  API_KEY_PREFIX,
  Authenticator,
  hashApiKey,
  LAST_USED_EVERY_MS,
  type Principal,
  RECHECK_AFTER_MS,
} from '../../src/api/auth.js';
import { ManualClock } from '../../src/core/clock.js';
import { type ErrorCode, HeraldError } from '../../src/core/errors.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testSecretBox } from '../support/secrets.js';

const ADMIN_KEY = 'admin-key-for-unit-tests-0123456789';
const TENANT_KEY = `${API_KEY_PREFIX}tenant-abc-key-0123456789abcdef`;
const OTHER_KEY = `${API_KEY_PREFIX}tenant-xyz-key-0123456789abcdef`;
const HOUR = 3_600_000;

function isHeraldError(code: ErrorCode, status: number) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof HeraldError, `expected a HeraldError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  };
}

/** Replaces the character at `index` with another character of the base64url alphabet. */
function flipChar(text: string, index: number): string {
  const current = text[index];
  const replacement = current === 'A' ? 'B' : 'A';
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

describe('Authenticator', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  let auth: Authenticator;

  before(async () => {
    store = openSqliteStore(':memory:', { secrets: testSecretBox() });
    await store.migrate();
    const createdAt = Date.UTC(2025, 0, 1);
    await store.createTenant({ id: 'tenant_abc', name: 'ABC Corp', createdAt });
    await store.createTenant({ id: 'tenant_xyz', name: 'XYZ Ltd', createdAt });
    const key = { name: 'ci', prefix: null, createdAt, expiresAt: null };
    await store.createApiKey({ ...key, id: 'key_abc', tenantId: 'tenant_abc' }, hashApiKey(TENANT_KEY));
    await store.createApiKey({ ...key, id: 'key_xyz', tenantId: 'tenant_xyz' }, hashApiKey(OTHER_KEY));
  });

  after(async () => {
    await store.close();
  });

  beforeEach(() => {
    clock = new ManualClock();
    auth = new Authenticator(store, ADMIN_KEY, clock);
  });

  describe('hashApiKey', () => {
    it('is the hex SHA-256 of the key', () => {
      assert.equal(hashApiKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      assert.notEqual(hashApiKey(TENANT_KEY), hashApiKey(OTHER_KEY));
    });
  });

  describe('authenticate', () => {
    it('accepts the admin key', async () => {
      assert.deepEqual(await auth.authenticate(`Bearer ${ADMIN_KEY}`), { role: 'admin' });
    });

    it('accepts the scheme in any case and surrounding spaces', async () => {
      assert.deepEqual(await auth.authenticate(`bearer ${ADMIN_KEY}`), { role: 'admin' });
      assert.deepEqual(await auth.authenticate(`BEARER   ${ADMIN_KEY}  `), { role: 'admin' });
    });

    const refused: [string, string | undefined][] = [
      ['a missing header', undefined],
      ['an empty header', ''],
      ['the scheme alone', 'Bearer'],
      ['the scheme and a space', 'Bearer '],
      ['another scheme', `Basic ${ADMIN_KEY}`],
      ['the key without a scheme', ADMIN_KEY],
      ['the scheme glued to the key', `Bearer${ADMIN_KEY}`],
      ['a wrong key', 'Bearer not-the-admin-key-0123456789'],
      ['the admin key with a character more', `Bearer ${ADMIN_KEY}x`],
      ['the admin key with a character less', `Bearer ${ADMIN_KEY.slice(0, -1)}`],
      ['two tokens', `Bearer ${ADMIN_KEY} ${ADMIN_KEY}`],
      ['an unknown tenant key', `Bearer ${API_KEY_PREFIX}unknown-0123456789abcdef`],
      ['the hash of a tenant key instead of the key', `Bearer ${hashApiKey(TENANT_KEY)}`],
    ];
    for (const [what, header] of refused) {
      it(`refuses ${what} as UNAUTHORIZED`, async () => {
        await assert.rejects(auth.authenticate(header), isHeraldError('UNAUTHORIZED', 401));
      });
    }

    it('authenticates a stored tenant key as its tenant', async () => {
      assert.deepEqual(await auth.authenticate(`Bearer ${TENANT_KEY}`), {
        role: 'tenant',
        tenantId: 'tenant_abc',
        expiresAt: null,
      });
      assert.deepEqual(await auth.authenticate(`Bearer ${OTHER_KEY}`), {
        role: 'tenant',
        tenantId: 'tenant_xyz',
        expiresAt: null,
      });
    });

    it('checks the admin key before the stored tenant keys', async () => {
      const tenantAsAdmin = new Authenticator(store, TENANT_KEY, clock);
      assert.deepEqual(await tenantAsAdmin.authenticate(`Bearer ${TENANT_KEY}`), { role: 'admin' });
      assert.deepEqual(await auth.authenticate(`Bearer ${TENANT_KEY}`), {
        role: 'tenant',
        tenantId: 'tenant_abc',
        expiresAt: null,
      });
    });
  });

  describe('portal tokens', () => {
    it('authenticate as their tenant until they expire', async () => {
      const expiry = clock.now() + HOUR;
      const token = auth.issuePortalToken('tenant_abc', expiry);
      assert.match(token, /^hpl_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      assert.deepEqual(await auth.authenticate(`Bearer ${token}`), {
        role: 'tenant',
        tenantId: 'tenant_abc',
        expiresAt: expiry,
      });

      clock.advance(HOUR - 1_000);
      assert.deepEqual(await auth.authenticate(`Bearer ${token}`), {
        role: 'tenant',
        tenantId: 'tenant_abc',
        expiresAt: expiry,
      });

      clock.advance(1_000);
      await assert.rejects(auth.authenticate(`Bearer ${token}`), isHeraldError('PORTAL_LINK_EXPIRED', 401));

      clock.advance(24 * HOUR);
      await assert.rejects(auth.authenticate(`Bearer ${token}`), isHeraldError('PORTAL_LINK_EXPIRED', 401));
    });

    it('are refused once expired even for a tenant that exists', async () => {
      const token = auth.issuePortalToken('tenant_xyz', clock.now() - 1_000);
      await assert.rejects(auth.authenticate(`Bearer ${token}`), isHeraldError('PORTAL_LINK_EXPIRED', 401));
    });

    it('carry the tenant they were issued for', async () => {
      const abc = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
      const xyz = auth.issuePortalToken('tenant_xyz', clock.now() + HOUR);
      assert.notEqual(abc, xyz);
      assert.deepEqual(await auth.authenticate(`Bearer ${xyz}`), {
        role: 'tenant',
        tenantId: 'tenant_xyz',
        expiresAt: clock.now() + HOUR,
      });
    });

    it('are refused as PORTAL_LINK_INVALID when one character of the body changes', async () => {
      const token = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
      const dot = token.indexOf('.');
      for (const index of [4, 5, Math.floor((4 + dot) / 2), dot - 1]) {
        const tampered = flipChar(token, index);
        assert.notEqual(tampered, token);
        await assert.rejects(
          auth.authenticate(`Bearer ${tampered}`),
          isHeraldError('PORTAL_LINK_INVALID', 401),
          `index ${index}`,
        );
      }
    });

    it('are refused as PORTAL_LINK_INVALID when one character of the signature changes', async () => {
      const token = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
      const dot = token.indexOf('.');
      for (const index of [dot + 1, dot + 10, token.length - 1]) {
        const tampered = flipChar(token, index);
        assert.notEqual(tampered, token);
        await assert.rejects(
          auth.authenticate(`Bearer ${tampered}`),
          isHeraldError('PORTAL_LINK_INVALID', 401),
          `index ${index}`,
        );
      }
    });

    it('cannot be re-pointed at another tenant or extended', async () => {
      const token = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
      const signature = token.slice(token.indexOf('.') + 1);
      const forged = (claims: object) =>
        `hpl_${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      const exp = Math.floor((clock.now() + HOUR) / 1000);
      for (const claims of [
        { t: 'tenant_xyz', exp },
        { t: 'tenant_abc', exp: exp + 86_400 },
      ]) {
        await assert.rejects(
          auth.authenticate(`Bearer ${forged(claims)}`),
          isHeraldError('PORTAL_LINK_INVALID', 401),
        );
      }
    });

    it('are refused as PORTAL_LINK_INVALID when malformed', async () => {
      const token = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
      const [body = '', signature = ''] = token.slice(4).split('.');
      for (const bad of [
        'hpl_',
        'hpl_.',
        `hpl_${body}`,
        `hpl_${body}.`,
        `hpl_.${signature}`,
        `hpl_${signature}`,
      ]) {
        await assert.rejects(
          auth.authenticate(`Bearer ${bad}`),
          isHeraldError('PORTAL_LINK_INVALID', 401),
          bad,
        );
      }
    });

    it('are refused as PORTAL_LINK_INVALID with a third dot-separated part appended', async () => {
      const token = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
      await assert.rejects(
        auth.authenticate(`Bearer ${token}.extra`),
        isHeraldError('PORTAL_LINK_INVALID', 401),
      );
    });

    it('are refused as PORTAL_LINK_INVALID by an Authenticator with another admin key', async () => {
      const foreign = new Authenticator(store, 'another-admin-key-0123456789', clock);
      const token = foreign.issuePortalToken('tenant_abc', clock.now() + HOUR);
      assert.deepEqual(await foreign.authenticate(`Bearer ${token}`), {
        role: 'tenant',
        tenantId: 'tenant_abc',
        expiresAt: clock.now() + HOUR,
      });
      await assert.rejects(auth.authenticate(`Bearer ${token}`), isHeraldError('PORTAL_LINK_INVALID', 401));
    });

    it('are accepted by another Authenticator with the same admin key', async () => {
      const token = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
      const twin = new Authenticator(store, ADMIN_KEY, clock);
      assert.deepEqual(await twin.authenticate(`Bearer ${token}`), {
        role: 'tenant',
        tenantId: 'tenant_abc',
        expiresAt: clock.now() + HOUR,
      });
    });
  });

  describe('requireAdmin', () => {
    it('lets the admin through', () => {
      assert.doesNotThrow(() => auth.requireAdmin({ role: 'admin' }));
    });

    it('refuses a tenant with ADMIN_KEY_REQUIRED', () => {
      assert.throws(
        () => auth.requireAdmin({ role: 'tenant', tenantId: 'tenant_abc', expiresAt: null }),
        isHeraldError('ADMIN_KEY_REQUIRED', 403),
      );
    });
  });

  describe('requireTenant', () => {
    const admin: Principal = { role: 'admin' };
    const abc: Principal = { role: 'tenant', tenantId: 'tenant_abc', expiresAt: null };

    it('lets a tenant reach its own resources', async () => {
      await auth.requireTenant(abc, 'tenant_abc');
    });

    it("answers another tenant's resources with TENANT_NOT_FOUND 404", async () => {
      await assert.rejects(auth.requireTenant(abc, 'tenant_xyz'), isHeraldError('TENANT_NOT_FOUND', 404));
      await assert.rejects(auth.requireTenant(abc, 'tenant_nope'), isHeraldError('TENANT_NOT_FOUND', 404));
    });

    it('lets the admin reach any existing tenant', async () => {
      await auth.requireTenant(admin, 'tenant_abc');
      await auth.requireTenant(admin, 'tenant_xyz');
    });

    it('answers the admin with 404 for an unknown tenant', async () => {
      await assert.rejects(auth.requireTenant(admin, 'tenant_nope'), (error: unknown) => {
        isHeraldError('TENANT_NOT_FOUND', 404)(error);
        assert.match((error as Error).message, /tenant_nope/);
        return true;
      });
    });

    it('takes a tenant from a portal token like one from an API key', async () => {
      const principal = await auth.authenticate(
        `Bearer ${auth.issuePortalToken('tenant_xyz', clock.now() + HOUR)}`,
      );
      await auth.requireTenant(principal, 'tenant_xyz');
      await assert.rejects(
        auth.requireTenant(principal, 'tenant_abc'),
        isHeraldError('TENANT_NOT_FOUND', 404),
      );
      assert.throws(() => auth.requireAdmin(principal), isHeraldError('ADMIN_KEY_REQUIRED', 403));
    });
  });
});

describe('Authenticator: keys and tenants that stop working', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  let auth: Authenticator;
  const bearer = `Bearer ${TENANT_KEY}`;

  beforeEach(async () => {
    store = openSqliteStore(':memory:', { secrets: testSecretBox() });
    await store.migrate();
    clock = new ManualClock(Date.UTC(2025, 0, 1));
    await store.createTenant({ id: 'tenant_abc', name: 'ABC Corp', createdAt: clock.now() });
    auth = new Authenticator(store, ADMIN_KEY, clock);
  });

  afterEach(async () => {
    await store.close();
  });

  async function createKey(expiresAt: number | null = null): Promise<void> {
    await store.createApiKey(
      { id: 'key_abc', tenantId: 'tenant_abc', name: 'ci', prefix: null, createdAt: clock.now(), expiresAt },
      hashApiKey(TENANT_KEY),
    );
  }

  it('refuses a revoked key on the very next request, though it was remembered', async () => {
    await createKey();
    assert.equal((await auth.authenticate(bearer)).role, 'tenant');
    assert.equal(await store.revokeApiKey('tenant_abc', 'key_abc'), true);
    await assert.rejects(auth.authenticate(bearer), isHeraldError('UNAUTHORIZED', 401));
  });

  it('reads a remembered key again after RECHECK_AFTER_MS when no revocation was announced', async () => {
    // A directory that never announces: another process sharing the SQLite file revoked the key.
    const silent = { ...pickDirectory(store), onCredentialsChanged: () => () => undefined };
    const unaware = new Authenticator(silent, ADMIN_KEY, clock);
    await createKey();
    assert.equal((await unaware.authenticate(bearer)).role, 'tenant');
    await store.revokeApiKey('tenant_abc', 'key_abc');
    clock.advance(RECHECK_AFTER_MS - 1);
    assert.equal((await unaware.authenticate(bearer)).role, 'tenant', 'still remembered');
    clock.advance(1);
    await assert.rejects(unaware.authenticate(bearer), isHeraldError('UNAUTHORIZED', 401));
  });

  it('sends requests that arrive together after RECHECK_AFTER_MS to the store once', async () => {
    const reads = { keys: 0, tenants: 0 };
    const counting = {
      ...pickDirectory(store),
      findApiKeyByHash: (hash: string) => {
        reads.keys++;
        return store.findApiKeyByHash(hash);
      },
      getTenant: (id: string) => {
        reads.tenants++;
        return store.getTenant(id);
      },
      onCredentialsChanged: () => () => undefined,
    };
    const shared = new Authenticator(counting, ADMIN_KEY, clock);
    await createKey();
    const together = async () => {
      const principals = await Promise.all(Array.from({ length: 64 }, () => shared.authenticate(bearer)));
      await Promise.all(
        Array.from({ length: 64 }, () => shared.requireTenant({ role: 'admin' }, 'tenant_abc')),
      );
      assert.ok(principals.every((principal) => principal.role === 'tenant'));
    };
    await together();
    assert.deepEqual(reads, { keys: 1, tenants: 1 });
    clock.advance(RECHECK_AFTER_MS);
    await together();
    assert.deepEqual(reads, { keys: 2, tenants: 2 });
  });

  it('refuses a key from its expiry on, with a message that says so', async () => {
    await createKey(clock.now() + HOUR);
    assert.equal((await auth.authenticate(bearer)).role, 'tenant');
    clock.advance(HOUR - 1);
    assert.equal((await auth.authenticate(bearer)).role, 'tenant');
    clock.advance(1);
    await assert.rejects(auth.authenticate(bearer), (error: unknown) => {
      isHeraldError('UNAUTHORIZED', 401)(error);
      assert.match((error as Error).message, /expired/);
      return true;
    });
  });

  it('records last use at most once a minute per key', async () => {
    await createKey();
    const lastUsed = async () => (await store.findApiKeyByHash(hashApiKey(TENANT_KEY)))?.lastUsedAt;
    const start = clock.now();
    await auth.authenticate(bearer);
    assert.equal(await lastUsed(), start);
    clock.advance(LAST_USED_EVERY_MS - 1);
    await auth.authenticate(bearer);
    assert.equal(await lastUsed(), start, 'not written again within the minute');
    clock.advance(1);
    await auth.authenticate(bearer);
    assert.equal(await lastUsed(), start + LAST_USED_EVERY_MS);
  });

  it('refuses a deleted tenant to the admin and to its portal links at once', async () => {
    const token = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
    await auth.requireTenant({ role: 'admin' }, 'tenant_abc');
    assert.equal((await auth.authenticate(`Bearer ${token}`)).role, 'tenant');
    assert.equal(await store.deleteTenant('tenant_abc'), true);
    await assert.rejects(
      auth.requireTenant({ role: 'admin' }, 'tenant_abc'),
      isHeraldError('TENANT_NOT_FOUND', 404),
    );
    await assert.rejects(auth.authenticate(`Bearer ${token}`), isHeraldError('PORTAL_LINK_INVALID', 401));
  });

  describe('admin key rotation', () => {
    const NEW_ADMIN_KEY = 'rotated-admin-key-0123456789';

    it('accepts the previous admin key beside the new one, and no other', async () => {
      const rotating = new Authenticator(store, NEW_ADMIN_KEY, clock, ADMIN_KEY);
      assert.deepEqual(await rotating.authenticate(`Bearer ${NEW_ADMIN_KEY}`), { role: 'admin' });
      assert.deepEqual(await rotating.authenticate(`Bearer ${ADMIN_KEY}`), { role: 'admin' });
      await assert.rejects(
        rotating.authenticate('Bearer some-other-admin-key-0123'),
        isHeraldError('UNAUTHORIZED', 401),
      );
      const rotated = new Authenticator(store, NEW_ADMIN_KEY, clock);
      await assert.rejects(rotated.authenticate(`Bearer ${ADMIN_KEY}`), isHeraldError('UNAUTHORIZED', 401));
    });

    it("keeps the old key's portal links working during the changeover, and signs new ones with the new key", async () => {
      const before = auth.issuePortalToken('tenant_abc', clock.now() + HOUR);
      const rotating = new Authenticator(store, NEW_ADMIN_KEY, clock, ADMIN_KEY);
      assert.equal((await rotating.authenticate(`Bearer ${before}`)).role, 'tenant');
      const during = rotating.issuePortalToken('tenant_abc', clock.now() + HOUR);
      const rotated = new Authenticator(store, NEW_ADMIN_KEY, clock);
      assert.equal((await rotated.authenticate(`Bearer ${during}`)).role, 'tenant');
      await assert.rejects(
        rotated.authenticate(`Bearer ${before}`),
        isHeraldError('PORTAL_LINK_INVALID', 401),
      );
    });
  });
});

/** The directory roles the Authenticator uses, as plain functions of `store`. */
function pickDirectory(store: SqliteStore) {
  return {
    findApiKeyByHash: store.findApiKeyByHash.bind(store),
    getTenant: store.getTenant.bind(store),
    touchApiKey: store.touchApiKey.bind(store),
  };
}
