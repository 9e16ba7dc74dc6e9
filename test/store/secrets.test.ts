/**
 * Webhook secrets at rest, on each backend: what lands in the database is sealed (AES-256-GCM under
 * HERALD_ENCRYPTION_KEY), plain text from earlier versions is sealed at migration, and a key rotation
 * seals everything again in batches while the old key stays readable.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { type EncryptionKey, parseEncryptionKey, SecretBox } from '../../src/core/secret-box.js';
import { standardWebhooksKey } from '../../src/core/signing.js';
import type { Webhook } from '../../src/core/types.js';
import { resealAll } from '../../src/store/secrets.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { TEST_BACKENDS, type TestBackend } from '../support/backends.js';
import { adminQuery, PostgresTestDatabase } from '../support/postgres.js';

const NOW = Date.UTC(2026, 0, 1);
const TENANT = 'tenant_sealed';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PLAIN = 'a plain shared secret of some length';
const KEY_A = parseEncryptionKey(Buffer.alloc(32, 0xa).toString('base64'));
const KEY_B = parseEncryptionKey(Buffer.alloc(32, 0xb).toString('base64'));

function webhook(id: string, secret: string | null): Webhook {
  return {
    id,
    tenantId: TENANT,
    url: `https://hooks.example.com/${id}`,
    description: '',
    events: [],
    status: 'active',
    disabledReason: null,
    failingSince: null,
    ordering: 'none',
    rateLimit: null,
    secret,
    previousSecretUntil: null,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

/** One database a test may open several stores on (different keys), and read as stored. */
interface Database {
  open(current: EncryptionKey, previous?: EncryptionKey[]): Promise<Store>;
  /** Every byte the database holds of its webhooks, as it is stored. */
  raw(): Promise<Buffer>;
  /** The secret column of each webhook, as it is stored. */
  storedSecrets(): Promise<Map<string, string | null>>;
  /** Writes `secret` into a webhook's row unsealed, as versions before encryption did. */
  storePlain(id: string, secret: string): Promise<void>;
  cleanup(): Promise<void>;
}

function sqliteDatabase(): Database {
  const dir = mkdtempSync(join(tmpdir(), 'herald-secrets-'));
  const path = join(dir, 'data', 'herald.db');
  const stores: Store[] = [];
  /** A connection of its own, as an operator's sqlite3 would open: it sees what the stores committed. */
  const query = <R>(text: string, ...values: unknown[]): R[] => {
    const db = new BetterSqlite3(path);
    try {
      const statement = db.prepare(text);
      if (statement.reader) return statement.all(...values) as R[];
      statement.run(...values);
      return [];
    } finally {
      db.close();
    }
  };
  return {
    async open(current, previous = []) {
      const store = openSqliteStore(path, { secrets: new SecretBox(current, previous) });
      stores.push(store);
      await store.migrate();
      return store;
    },
    async raw() {
      // The file and its WAL: a secret written a moment ago may be in either.
      return Buffer.concat(
        [path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)),
      );
    },
    async storedSecrets() {
      const rows = query<{ id: string; secret: string | null }>('SELECT id, secret FROM webhooks');
      return new Map(rows.map((row) => [row.id, row.secret]));
    },
    async storePlain(id, secret) {
      query('UPDATE webhooks SET secret = ? WHERE id = ?', secret, id);
    },
    async cleanup() {
      for (const store of stores.splice(0)) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresDatabase(): Database {
  const database = new PostgresTestDatabase();
  const schema = database.newSchema();
  const stores: Store[] = [];
  return {
    async open(current, previous = []) {
      const store = await database.open(schema, { secrets: new SecretBox(current, previous) });
      stores.push(store);
      return store;
    },
    async raw() {
      // Every column of every webhook row, as text: what a dump or a stolen backup would show.
      const { rows } = await adminQuery<{ row: string }>(`SELECT w::text AS row FROM ${schema}.webhooks w`);
      return Buffer.from(rows.map((row) => row.row).join('\n'));
    },
    async storedSecrets() {
      const { rows } = await adminQuery<{ id: string; secret: string | null }>(
        `SELECT id, secret FROM ${schema}.webhooks`,
      );
      return new Map(rows.map((row) => [row.id, row.secret]));
    },
    async storePlain(id, secret) {
      await adminQuery(`UPDATE ${schema}.webhooks SET secret = $1 WHERE id = $2`, [secret, id]);
    },
    async cleanup() {
      for (const store of stores.splice(0)) await store.close();
      await database.cleanup();
    },
  };
}

const DATABASES: Record<TestBackend, () => Database> = {
  sqlite: sqliteDatabase,
  postgres: postgresDatabase,
};

/** Whether `haystack` holds `secret` in any form a reader could use: its text, or its signing key's bytes. */
function holdsSecret(haystack: Buffer, secret: string): boolean {
  return haystack.includes(Buffer.from(secret, 'utf8')) || haystack.includes(standardWebhooksKey(secret));
}

for (const backend of TEST_BACKENDS) {
  describe(`webhook secrets at rest (${backend})`, () => {
    let database: Database;

    beforeEach(() => {
      database = DATABASES[backend]();
    });
    afterEach(async () => {
      await database.cleanup();
    });

    async function withWebhooks(store: Store, secrets: Record<string, string | null>): Promise<void> {
      await store.createTenant({ id: TENANT, name: TENANT, createdAt: NOW });
      for (const [id, secret] of Object.entries(secrets)) {
        assert.ok(await store.createWebhook(webhook(id, secret)));
      }
    }

    it('stores no secret bytes, only values sealed under the current key, and reads them back', async () => {
      const store = await database.open(KEY_A);
      await withWebhooks(store, { wh_a: WHSEC, wh_b: null, wh_c: 'replaced soon, never stored plain' });
      const changed = (await store.getWebhook(TENANT, 'wh_c')) as Webhook;
      await store.updateWebhook({ ...changed, secret: PLAIN, updatedAt: NOW + 1 });
      await store.publishEvents(
        [{ id: 'evt_1', tenantId: TENANT, event: 'kpi.alert', payload: Buffer.from('{}'), timestamp: NOW }],
        NOW,
      );
      const claimed = await store.claimDueDeliveries({
        owner: 'w',
        now: NOW,
        leaseUntil: NOW + 30_000,
        limit: 10,
        perWebhookLimit: 10,
      });

      const raw = await database.raw();
      assert.ok(raw.length > 0);
      for (const secret of [WHSEC, PLAIN, 'replaced soon, never stored plain']) {
        assert.equal(holdsSecret(raw, secret), false, `${secret} is nowhere in the ${backend} database`);
      }
      const stored = await database.storedSecrets();
      assert.equal(stored.get('wh_b'), null);
      for (const id of ['wh_a', 'wh_c']) {
        assert.match(stored.get(id) ?? '', new RegExp(`^enc:v1:${KEY_A.id}:[A-Za-z0-9+/]+=*$`));
      }
      assert.equal((await store.getWebhook(TENANT, 'wh_a'))?.secret, WHSEC);
      assert.equal((await store.getWebhook(TENANT, 'wh_c'))?.secret, PLAIN);
      assert.deepEqual(
        new Map(claimed.map((delivery) => [delivery.webhookId, delivery.secret])),
        new Map([
          ['wh_a', WHSEC],
          ['wh_b', null],
          ['wh_c', PLAIN],
        ]),
      );
    });

    it('seals the same secret differently every time (a random IV per value)', async () => {
      const store = await database.open(KEY_A);
      await withWebhooks(store, { wh_1: WHSEC, wh_2: WHSEC });
      const stored = await database.storedSecrets();
      assert.notEqual(stored.get('wh_1'), stored.get('wh_2'));
    });

    it('seals secrets stored in plain text by earlier versions when it migrates', async () => {
      const before = await database.open(KEY_A);
      await withWebhooks(before, { wh_old: WHSEC, wh_none: null });
      await database.storePlain('wh_old', PLAIN);
      assert.equal((await database.storedSecrets()).get('wh_old'), PLAIN);

      const after = await database.open(KEY_A);
      assert.match((await database.storedSecrets()).get('wh_old') ?? '', /^enc:v1:/);
      assert.equal((await database.storedSecrets()).get('wh_none'), null);
      assert.equal((await after.getWebhook(TENANT, 'wh_old'))?.secret, PLAIN);
    });

    it('rotates the key in batches, reading the old key until every secret is sealed again', async () => {
      const old = await database.open(KEY_A);
      await withWebhooks(old, { wh_1: 'secret number one', wh_2: WHSEC, wh_3: PLAIN, wh_4: null });
      // A secret rotation under way: the replaced secret is sealed again too.
      await old.rotateWebhookSecret(TENANT, 'wh_1', {
        secret: 'secret number two',
        previousUntil: NOW + 1,
        now: NOW,
      });

      assert.deepEqual(await old.sealingKeyIds(), [KEY_A.id]);

      const rotating = await database.open(KEY_B, [KEY_A]);
      assert.equal((await rotating.getWebhook(TENANT, 'wh_2'))?.secret, WHSEC, 'the old key still reads');
      const keep = new SecretBox(KEY_B).currentPrefix;
      assert.equal(await rotating.resealSecrets(keep, 2), 2, 'one batch');
      assert.equal(await rotating.resealSecrets(keep, 2), 2, 'another');
      assert.equal(await rotating.resealSecrets(keep, 2), 0, 'nothing left');
      assert.equal(await resealAll(rotating, keep), 0);
      assert.deepEqual(await rotating.sealingKeyIds(), [KEY_B.id], 'no secret is left under the old key');
      for (const [id, secret] of await database.storedSecrets()) {
        if (id !== 'wh_4') assert.ok(secret?.startsWith(keep), `${id} is sealed under the new key`);
      }

      const rotated = await database.open(KEY_B);
      assert.deepEqual(
        (await rotated.listWebhooks(TENANT, { limit: 10 })).map((hook) => hook.secret),
        ['secret number two', WHSEC, PLAIN, null],
      );
      await rotated.publishEvents(
        [{ id: 'evt_1', tenantId: TENANT, event: 'kpi.alert', payload: Buffer.from('{}'), timestamp: NOW }],
        NOW,
      );
      const claimed = await rotated.claimDueDeliveries({
        owner: 'w',
        now: NOW,
        leaseUntil: NOW + 30_000,
        limit: 10,
        perWebhookLimit: 10,
      });
      assert.equal(
        claimed.find((delivery) => delivery.webhookId === 'wh_1')?.previousSecret,
        'secret number one',
        'the new key alone reads the replaced secret',
      );
      const stale = await database.open(KEY_A);
      await assert.rejects(stale.getWebhook(TENANT, 'wh_1'), /encrypted under key \w+, which is neither/);
    });

    it('rotates a secret: claims carry the replaced one, sealed too, until its time is up', async () => {
      const store = await database.open(KEY_A);
      await withWebhooks(store, { wh_r: WHSEC, wh_bare: null });
      const publish = (id: string, now: number) =>
        store.publishEvents(
          [{ id, tenantId: TENANT, event: 'kpi.alert', payload: Buffer.from('{}'), timestamp: now }],
          now,
        );
      const claim = async (now: number) =>
        new Map(
          (
            await store.claimDueDeliveries({
              owner: 'w',
              now,
              leaseUntil: now + 30_000,
              limit: 10,
              perWebhookLimit: 10,
            })
          ).map((delivery) => [delivery.webhookId, [delivery.secret, delivery.previousSecret]]),
        );

      const rotated = await store.rotateWebhookSecret(TENANT, 'wh_r', {
        secret: PLAIN,
        previousUntil: NOW + 60_000,
        now: NOW,
      });
      assert.equal(rotated?.secret, PLAIN);
      assert.equal(rotated?.previousSecretUntil, NOW + 60_000);
      const bare = await store.rotateWebhookSecret(TENANT, 'wh_bare', {
        secret: WHSEC,
        previousUntil: NOW + 60_000,
        now: NOW,
      });
      assert.equal(bare?.previousSecretUntil, null, 'no secret was replaced');
      assert.equal(holdsSecret(await database.raw(), WHSEC), false, 'the replaced secret stays sealed');
      assert.equal(holdsSecret(await database.raw(), PLAIN), false);

      await publish('evt_during', NOW);
      assert.deepEqual(
        await claim(NOW + 59_999),
        new Map([
          ['wh_r', [PLAIN, WHSEC]],
          ['wh_bare', [WHSEC, null]],
        ]),
      );
      await publish('evt_after', NOW + 60_000);
      assert.deepEqual((await claim(NOW + 60_000)).get('wh_r'), [PLAIN, null], 'its time is up');

      await store.rotateWebhookSecret(TENANT, 'wh_r', {
        secret: WHSEC,
        previousUntil: NOW + 3_600_000,
        now: NOW,
      });
      const dropped = await store.dropPreviousSecret(TENANT, 'wh_r', NOW + 1);
      assert.equal(dropped?.previousSecretUntil, null);
      await publish('evt_dropped', NOW + 2);
      assert.deepEqual((await claim(NOW + 2)).get('wh_r'), [WHSEC, null]);

      await store.rotateWebhookSecret(TENANT, 'wh_r', { secret: PLAIN, previousUntil: null, now: NOW + 3 });
      await publish('evt_no_grace', NOW + 4);
      assert.deepEqual((await claim(NOW + 4)).get('wh_r'), [PLAIN, null], 'no grace period');
      assert.equal(
        await store.rotateWebhookSecret(TENANT, 'wh_none', { secret: PLAIN, previousUntil: null, now: NOW }),
        null,
      );
      assert.equal(await store.dropPreviousSecret(TENANT, 'wh_none', NOW), null);
    });

    it('refuses a sealed value that was tampered with', async () => {
      const store = await database.open(KEY_A);
      await withWebhooks(store, { wh_1: WHSEC });
      const sealed = (await database.storedSecrets()).get('wh_1') as string;
      const flipped = `${sealed.slice(0, -6)}${sealed.at(-6) === 'A' ? 'B' : 'A'}${sealed.slice(-5)}`;
      await database.storePlain('wh_1', flipped);
      const reader = await database.open(KEY_A);
      await assert.rejects(reader.getWebhook(TENANT, 'wh_1'), /authenticate/);
    });
  });
}

describe('the SQLite files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-modes-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are readable by their owner alone, in a data directory of their own', async () => {
    const path = join(dir, 'data', 'herald.db');
    const store = openSqliteStore(path, { secrets: new SecretBox(KEY_A) });
    await store.migrate();
    await store.createTenant({ id: TENANT, name: TENANT, createdAt: NOW });
    try {
      assert.equal(statSync(join(dir, 'data')).mode & 0o777, 0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        assert.equal(statSync(file).mode & 0o777, 0o600, file);
      }
    } finally {
      await store.close();
    }
  });

  it('are made private when an earlier version left them readable by others', async () => {
    const path = join(dir, 'shared', 'herald.db');
    mkdirSync(join(dir, 'shared'));
    writeFileSync(path, '');
    // Whatever the umask: as an earlier version would have left them.
    chmodSync(join(dir, 'shared'), 0o755);
    chmodSync(path, 0o644);
    const store = openSqliteStore(path, { secrets: new SecretBox(KEY_A) });
    try {
      await store.migrate();
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(
        statSync(join(dir, 'shared')).mode & 0o777,
        0o755,
        'a directory it did not create is left alone',
      );
    } finally {
      await store.close();
    }
  });
});
