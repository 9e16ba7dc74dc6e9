import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseEncryptionKey, SecretBox } from '../../src/core/secret-box.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type HeraldRun, runHerald } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { Receiver } from '../support/receiver.js';

/** Quiet unless something goes wrong, as the tests read what a run printed. */
function herald(args: string[], env: Record<string, string> = {}): HeraldRun {
  return runHerald(args, { HERALD_LOG_LEVEL: 'warn', ...env });
}

async function finished(run: HeraldRun): Promise<number> {
  return (await run.exited) as number;
}

async function listening(run: HeraldRun): Promise<string> {
  return eventually(
    () => /listening on (http:\/\/\S+)/.exec(run.output())?.[1],
    `Herald to listen:\n${run.errors()}`,
  );
}

async function api(base: string, key: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await request(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.statusCode, body: (await response.body.json()) as any };
}

describe('herald CLI', () => {
  let dir: string;
  let receiver: Receiver;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
    receiver = await new Receiver().start();
  });
  after(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains serve, worker and migrate in --help', async () => {
    const run = herald(['--help']);
    assert.equal(await finished(run), 0);
    for (const word of ['serve', 'worker', 'migrate', 'rotate-key', 'Exit codes']) {
      assert.ok(run.output().includes(word), `--help mentions ${word}`);
    }
    const serve = herald(['serve', '--help']);
    assert.equal(await finished(serve), 0);
    for (const word of ['--no-workers', 'HERALD_RETRY_SCHEDULE', '--allow-networks']) {
      assert.ok(serve.output().includes(word), `serve --help mentions ${word}`);
    }
    const bare = herald([]);
    assert.equal(await finished(bare), 2, 'no command is a usage error');
    assert.ok(bare.errors().includes('Usage:'));
  });

  it('refuses bad settings at start-up with a clear message', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['serve'], { HERALD_RETRY_SCHEDULE: '1m,5x' }, /HERALD_RETRY_SCHEDULE="1m,5x" "5x" is not a duration/],
      [['serve'], { HERALD_PORT: '99999' }, /HERALD_PORT="99999" must be a whole number from 0 to 65535/],
      [
        ['serve'],
        { HERALD_DELIVERY_TIMEOUT: 'soon' },
        /HERALD_DELIVERY_TIMEOUT="soon" must be a positive duration/,
      ],
      [
        ['serve'],
        { HERALD_ALLOW_NETWORKS: '10.0.0.0/40' },
        /HERALD_ALLOW_NETWORKS="10.0.0.0\/40" "10.0.0.0\/40" is not a CIDR/,
      ],
      [['serve'], { HERALD_RETRY_SCHEDUEL: '1s' }, /HERALD_RETRY_SCHEDUEL is not a Herald setting/],
      [['serve', '--port', 'eighty'], {}, /--port="eighty" must be a whole number/],
      [['serve', '--colour'], {}, /unknown option '--colour'/],
      [['launch'], {}, /unknown command 'launch'/],
      [
        ['serve'],
        { HERALD_DATABASE: 'postgres://postgres@127.0.0.1:5432/test' },
        /HERALD_ADMIN_KEY must be set with PostgreSQL/,
      ],
      [
        ['serve'],
        {
          HERALD_DATABASE: 'postgres://postgres@127.0.0.1:5432/test',
          HERALD_ADMIN_KEY: 'a-long-admin-key-123',
        },
        /HERALD_ENCRYPTION_KEY must be set with PostgreSQL/,
      ],
    ];
    for (const [args, env, message] of cases) {
      const run = herald(args, { HERALD_DATABASE: join(dir, 'never.db'), ...env });
      assert.equal(await finished(run), 2, `${args.join(' ')} ${JSON.stringify(env)}`);
      assert.match(run.errors(), message);
    }
  });

  it('migrates a database and exits', async () => {
    const run = herald(['migrate'], { HERALD_DATABASE: join(dir, 'migrated.db') });
    assert.equal(await finished(run), 0, run.errors());
    assert.match(run.output(), /is up to date/);
  });

  it('rotate-key encrypts every webhook secret again under the new key', async () => {
    const database = join(dir, 'rotate', 'herald.db');
    const [oldKey, newKey] = [1, 2].map((fill) => Buffer.alloc(32, fill).toString('base64')) as [
      string,
      string,
    ];
    const before = openSqliteStore(database, { secrets: new SecretBox(parseEncryptionKey(oldKey)) });
    await before.migrate();
    await before.createTenant({ id: 'tenant_rotate', name: 'rotate', createdAt: 0 });
    for (const id of ['wh_1', 'wh_2']) {
      await before.createWebhook({
        id,
        tenantId: 'tenant_rotate',
        url: 'https://hooks.example.com/',
        description: '',
        events: [],
        status: 'active',
        secret: `the secret of ${id}`,
        createdAt: 0,
        updatedAt: 0,
      });
    }
    await before.close();

    const withoutOld = herald(['rotate-key'], { HERALD_DATABASE: database, HERALD_ENCRYPTION_KEY: newKey });
    assert.notEqual(await finished(withoutOld), 0, 'the old key is needed to read the secrets');
    assert.match(withoutOld.errors(), /neither HERALD_ENCRYPTION_KEY nor in HERALD_ENCRYPTION_KEY_PREVIOUS/);

    const run = herald(['rotate-key'], {
      HERALD_DATABASE: database,
      HERALD_ENCRYPTION_KEY: newKey,
      HERALD_ENCRYPTION_KEY_PREVIOUS: oldKey,
    });
    assert.equal(await finished(run), 0, run.errors());
    assert.match(run.output(), /Encrypted 2 webhook secret\(s\) again/);

    const after = openSqliteStore(database, { secrets: new SecretBox(parseEncryptionKey(newKey)) });
    try {
      assert.deepEqual(
        (await after.listWebhooks('tenant_rotate', { limit: 10 })).map((hook) => hook.secret),
        ['the secret of wh_1', 'the secret of wh_2'],
        'the new key alone reads every secret',
      );
    } finally {
      await after.close();
    }
  });

  it('generates the encryption key on first start, readable by its owner alone', async () => {
    const database = join(dir, 'generated', 'herald.db');
    const run = herald(['migrate'], { HERALD_DATABASE: database });
    assert.equal(await finished(run), 0, run.errors());
    const file = join(dir, 'generated', 'encryption-key');
    assert.match(run.output(), /Generated the key that encrypts webhook secrets/);
    assert.ok(!run.output().includes(readFileSync(file, 'utf8').trim()), 'the key itself is not printed');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'generated')).mode & 0o777, 0o700);
    assert.equal(parseEncryptionKey(readFileSync(file, 'utf8')).bytes.length, 32);

    const again = herald(['migrate'], { HERALD_DATABASE: database });
    assert.equal(await finished(again), 0, again.errors());
    assert.ok(!again.output().includes('Generated'), 'kept, not generated again');
  });

  it('generates an admin key on first start, prints it once, and keeps it', async () => {
    const database = join(dir, 'keys', 'herald.db');
    const first = herald(['serve', '--port', '0', '--host', '127.0.0.1'], { HERALD_DATABASE: database });
    const base = await listening(first);
    const key = /^\s+(hadm_\S+)$/m.exec(first.output())?.[1];
    assert.ok(key, first.output());
    assert.equal((await api(base, key, 'GET', '/v1/me')).body.role, 'admin');
    first.child.kill('SIGTERM');
    assert.equal(await finished(first), 0);

    const second = herald(['serve', '--port', '0', '--host', '127.0.0.1'], { HERALD_DATABASE: database });
    const again = await listening(second);
    assert.ok(!second.output().includes('hadm_'), 'the key is shown only once');
    assert.equal((await api(again, key, 'GET', '/v1/me')).status, 200);
    second.child.kill('SIGTERM');
    assert.equal(await finished(second), 0);
  });

  it('on SIGTERM finishes the delivery in flight, records it, and exits cleanly', async () => {
    const database = join(dir, 'sigterm.db');
    const env = {
      HERALD_DATABASE: database,
      HERALD_ADMIN_KEY: 'sigterm-admin-key-0123456789',
      HERALD_ALLOW_NETWORKS: '127.0.0.0/8',
    };
    receiver.reply('/slow', { status: 200, delayMs: 800 });
    const run = herald(['serve', '--port', '0', '--host', '127.0.0.1'], env);
    const base = await listening(run);
    const key = env.HERALD_ADMIN_KEY;
    await api(base, key, 'POST', '/v1/tenants', { id: 'tenant_abc123' });
    const hook = await api(base, key, 'POST', '/v1/tenants/tenant_abc123/webhooks', {
      url: receiver.url('/slow'),
    });
    await api(base, key, 'POST', '/v1/tenants/tenant_abc123/events', { event: 'kpi.alert', data: { v: 1 } });
    await receiver.waitFor('/slow', 1);
    run.child.kill('SIGTERM'); // while the receiver still holds the request
    assert.equal(await finished(run), 0, run.errors());
    assert.match(run.output(), /SIGTERM: finishing deliveries in flight/);

    const restarted = herald(['serve', '--port', '0', '--host', '127.0.0.1', '--no-workers'], env);
    const again = await listening(restarted);
    const rows = (
      await api(again, key, 'GET', `/v1/tenants/tenant_abc123/webhooks/${hook.body.id}/deliveries`)
    ).body.data;
    assert.deepEqual(
      rows.map((row: any) => [row.status, row.statusCode]),
      [['succeeded', 200]],
    );
    restarted.child.kill('SIGTERM');
    assert.equal(await finished(restarted), 0);
    assert.equal(receiver.at('/slow').length, 1, 'delivered once, not again after the restart');
  });

  it('runs the API alone with --no-workers and the workers alone with herald worker', async () => {
    const env = {
      HERALD_DATABASE: join(dir, 'roles.db'),
      HERALD_ADMIN_KEY: 'roles-admin-key-0123456789',
      HERALD_ALLOW_NETWORKS: '127.0.0.0/8',
      HERALD_POLL_INTERVAL: '100ms',
    };
    const apiOnly = herald(['serve', '--no-workers', '--port', '0', '--host', '127.0.0.1'], env);
    const base = await listening(apiOnly);
    const key = env.HERALD_ADMIN_KEY;
    await api(base, key, 'POST', '/v1/tenants', { id: 'tenant_roles' });
    await api(base, key, 'POST', '/v1/tenants/tenant_roles/webhooks', { url: receiver.url('/roles') });
    const published = await api(base, key, 'POST', '/v1/tenants/tenant_roles/events', {
      event: 'kpi.alert',
      data: {},
    });
    assert.equal(published.body.deliveries, 1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(receiver.at('/roles').length, 0, 'an API-only process delivers nothing');

    const worker = herald(['worker'], env);
    const [delivered] = await receiver.waitFor('/roles', 1);
    assert.equal(delivered?.headers['webhook-id'], published.body.id);
    assert.match(worker.output(), /delivery workers on/);
    for (const run of [worker, apiOnly]) {
      run.child.kill('SIGTERM');
      assert.equal(await finished(run), 0);
    }
  });
});
