import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_EVENT_TYPES } from '../../src/cli/demo-events.js';
import { type HeraldRun, runHerald } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

// The client commands speak HTTP only, so one backend is enough to run them against.
const BACKEND = 'sqlite';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function finished(run: HeraldRun): Promise<number | null> {
  return run.exited;
}

describe('herald client commands', () => {
  let herald: TestHerald;
  let receiver: Receiver;
  let dir: string;
  /** The environment of a shell that talks to the test Herald; `HERALD_DATABASE` hides ./data/admin-key. */
  let env: Record<string, string>;

  function cli(args: string[], extra: Record<string, string> = {}): HeraldRun {
    return runHerald(args, { ...env, ...extra });
  }

  before(async () => {
    herald = await startTestHerald(BACKEND, { retrySchedule: [] });
    receiver = await new Receiver().start();
    dir = mkdtempSync(join(tmpdir(), 'herald-cli-commands-'));
    env = { HERALD_ADMIN_KEY: herald.adminKey, HERALD_DATABASE: join(dir, 'none', 'herald.db') };
    await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_cli' } });
  });
  after(async () => {
    await receiver.close();
    await herald.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers --help on every command, exit 0', async () => {
    const commands = [
      ['serve'],
      ['worker'],
      ['migrate'],
      ['rotate-key'],
      ['listen'],
      ['publish'],
      ['demo'],
      ['dlq'],
      ['dlq', 'replay-all'],
    ];
    for (const command of commands) {
      const run = cli([...command, '--help']);
      assert.equal(await finished(run), 0, command.join(' '));
      assert.ok(run.output().includes(`Usage: herald ${command.join(' ')}`), run.output());
    }
    const root = cli(['--help']);
    assert.equal(await finished(root), 0);
    for (const word of ['listen', 'publish', 'demo', 'dlq', 'Exit codes: 0']) {
      assert.ok(root.output().includes(word), `--help mentions ${word}`);
    }
  });

  it('exits 2 on a wrong command line and 1 when the operation fails', async () => {
    const cases: [string[], Record<string, string>, number, RegExp][] = [
      [['publish', 'kpi.alert'], {}, 2, /required option '--tenant <id>' not specified/],
      [['publish', 'kpi.alert', '--tenant', 'tenant_cli', '--data', '{"v":'], {}, 2, /--data is not JSON/],
      [['publish', 'kpi.alert', '--tenant', 'tenant_cli', '--data', '@/no/such/file'], {}, 2, /cannot read/],
      [['publish', 'kpi.alert', '--tenant', 'tenant_cli'], { HERALD_ADMIN_KEY: '' }, 2, /no API key/],
      [['listen', '--status', 'teapot'], {}, 2, /must be a whole number from 200 to 599/],
      [['demo', '--events', '0'], {}, 2, /must be a whole number from 1/],
      [
        ['publish', 'kpi.alert', '--tenant', 'tenant_absent', '--url', herald.url],
        {},
        1,
        /Herald answered 404 TENANT_NOT_FOUND/,
      ],
      [
        ['publish', 'kpi.alert', '--tenant', 'tenant_cli', '--url', 'http://127.0.0.1:1'],
        {},
        1,
        /cannot reach Herald at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/,
      ],
      [
        ['dlq', 'replay-all', '--tenant', 'tenant_cli', '--webhook', 'wh_absent', '--url', herald.url],
        {},
        1,
        /Herald answered 404/,
      ],
    ];
    for (const [args, extra, code, message] of cases) {
      const run = cli(args, extra);
      assert.equal(await finished(run), code, `${args.join(' ')}: ${run.errors()}`);
      assert.match(run.errors(), message);
    }
  });

  it('publish sends --data from a file and prints the answer', async () => {
    await herald.call('POST', '/v1/tenants/tenant_cli/webhooks', { body: { url: receiver.url('/publish') } });
    const file = join(dir, 'data.json');
    writeFileSync(file, '{"jobId":"job_xyz","rowsIngested":15234}');
    const run = cli([
      'publish',
      'ingestion.completed',
      '--tenant',
      'tenant_cli',
      '--data',
      `@${file}`,
      '--url',
      herald.url,
    ]);
    assert.equal(await finished(run), 0, run.errors());
    const answer = JSON.parse(run.output());
    assert.match(answer.id, /^evt_/);
    assert.equal(answer.deliveries, 1);
    const [delivered] = await receiver.waitFor('/publish', 1);
    assert.deepEqual(JSON.parse(delivered?.body.toString() ?? '').data, {
      jobId: 'job_xyz',
      rowsIngested: 15234,
    });
  });

  it('publish falls back to the admin key generated beside the SQLite database', async () => {
    writeFileSync(join(dir, 'admin-key'), `${herald.adminKey}\n`);
    const run = cli(['publish', 'kpi.computed', '--tenant', 'tenant_cli', '--url', herald.url], {
      HERALD_ADMIN_KEY: '',
      HERALD_DATABASE: join(dir, 'herald.db'),
    });
    assert.equal(await finished(run), 0, run.errors());
    assert.match(JSON.parse(run.output()).id, /^evt_/);
  });

  it('listen verifies both signatures of a real delivery and answers --status', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const listeners = [
      { secret, status: '200' },
      { secret: 'a-different-secret', status: '503' },
    ].map((options) =>
      cli(['listen', '--port', '0', '--json', '--secret', options.secret, '--status', options.status]),
    );
    try {
      const hooks: string[] = [];
      for (const listener of listeners) {
        const url = await eventually(
          () => /Listening on (\S+),/.exec(listener.errors())?.[1],
          'listen to start',
        );
        const hook = await herald.call('POST', '/v1/tenants/tenant_cli/webhooks', {
          body: { url, secret, events: ['kpi.alert'] },
        });
        hooks.push(hook.body.id);
      }
      await herald.call('POST', '/v1/tenants/tenant_cli/events', {
        body: { event: 'kpi.alert', data: { kpiId: 'kpi_churn', value: 4.2 } },
      });
      const [good, wrong] = await Promise.all(
        listeners.map((listener) =>
          eventually(() => listener.output().split('\n').find(Boolean), 'a delivery line').then(JSON.parse),
        ),
      );
      assert.deepEqual(good.signatures, { xWebhookSignature: 'valid', webhookSignature: 'valid' });
      assert.deepEqual(good.body.data, { kpiId: 'kpi_churn', value: 4.2 });
      assert.match(good.webhookId, /^evt_/);
      assert.deepEqual(wrong.signatures, { xWebhookSignature: 'invalid', webhookSignature: 'invalid' });
      assert.equal(wrong.answeredStatus, 503);
      const failed = await eventually(async () => {
        const rows = (await herald.call('GET', `/v1/tenants/tenant_cli/webhooks/${hooks[1]}/deliveries`)).body
          .data;
        return rows.find((row: any) => row.statusCode === 503);
      }, 'the 503 in the delivery history');
      assert.equal(failed.status, 'failed');
    } finally {
      for (const listener of listeners) listener.child.kill('SIGINT');
    }
    for (const listener of listeners) assert.equal(await finished(listener), 0);
  });

  it('demo publishes every documented event type with realistic data to --webhook-url', async () => {
    const run = cli([
      'demo',
      '--url',
      herald.url,
      '--tenant',
      'tenant_demo',
      '--webhook-url',
      receiver.url('/demo'),
      '--events',
      '10',
      '--rate',
      '100',
    ]);
    assert.equal(await finished(run), 0, run.errors());
    assert.match(run.output(), /Created tenant tenant_demo/);
    assert.match(run.output(), /Published 10 events to tenant_demo/);
    const payloads = (await receiver.waitFor('/demo', 10)).map((request) =>
      JSON.parse(request.body.toString()),
    );
    assert.deepEqual(new Set(payloads.map((payload) => payload.event)), new Set(DEMO_EVENT_TYPES));
    const completed = payloads.find((payload) => payload.event === 'ingestion.completed');
    assert.match(completed.data.jobId, /^job_/);
    assert.equal(typeof completed.data.rowsIngested, 'number');
    assert.ok(payloads.every((payload) => payload.tenantId === 'tenant_demo'));
  });

  it('demo with its own receiver sees every delivery signed, and reuses its webhook', async () => {
    const port = await freePort();
    for (const round of [1, 2]) {
      const run = cli([
        'demo',
        '--url',
        herald.url,
        '--tenant',
        'tenant_own',
        '--listen-port',
        String(port),
        '--events',
        '6',
        '--rate',
        '100',
      ]);
      assert.equal(await finished(run), 0, run.errors());
      assert.match(run.output(), /The demo's receiver got 6, 6 with both signatures valid/, `round ${round}`);
    }
    const hooks = (await herald.call('GET', '/v1/tenants/tenant_own/webhooks')).body.data;
    assert.equal(hooks.length, 1, 'the second run signs with a new secret on the same webhook');
  });

  it('demo says which setting lets Herald deliver to this machine', async () => {
    const closed = await startTestHerald(BACKEND, { allowNetworks: [] });
    try {
      const run = cli(['demo', '--url', closed.url, '--listen-port', '0', '--events', '1'], {
        HERALD_ADMIN_KEY: closed.adminKey,
      });
      assert.equal(await finished(run), 1);
      assert.match(run.errors(), /HERALD_ALLOW_NETWORKS=127\.0\.0\.0\/8/);
    } finally {
      await closed.stop();
    }
  });

  it('dlq replay-all replays every dead letter and reports the count', async () => {
    await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_dlq' } });
    receiver.reply('/dlq', { status: 500 });
    await herald.call('POST', '/v1/tenants/tenant_dlq/webhooks', { body: { url: receiver.url('/dlq') } });
    for (const value of [1, 2, 3]) {
      await herald.call('POST', '/v1/tenants/tenant_dlq/events', {
        body: { event: 'kpi.alert', data: { value } },
      });
    }
    await eventually(async () => {
      const letters = (await herald.call('GET', '/v1/tenants/tenant_dlq/dlq')).body.data;
      return letters.length === 3 ? letters : undefined;
    }, 'three dead letters');
    receiver.reply('/dlq', { status: 200 });

    const run = cli(['dlq', 'replay-all', '--tenant', 'tenant_dlq', '--url', herald.url]);
    assert.equal(await finished(run), 0, run.errors());
    assert.match(run.output(), /Replayed 3 dead letter\(s\) of 1 webhook\(s\) of tenant_dlq/);
    await receiver.waitFor('/dlq', 6);
    assert.equal((await herald.call('GET', '/v1/tenants/tenant_dlq/dlq')).body.data.length, 0);
  });

  it('dlq replay-all says which dead letters it left in the queue, and why', async () => {
    await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_dlq_off' } });
    receiver.reply('/dlq-off', { status: 500 });
    const hook = (
      await herald.call('POST', '/v1/tenants/tenant_dlq_off/webhooks', {
        body: { url: receiver.url('/dlq-off') },
      })
    ).body;
    for (const value of [1, 2]) {
      await herald.call('POST', '/v1/tenants/tenant_dlq_off/events', {
        body: { event: 'kpi.alert', data: { value } },
      });
    }
    await eventually(async () => {
      const letters = (await herald.call('GET', '/v1/tenants/tenant_dlq_off/dlq')).body.data;
      return letters.length === 2 ? letters : undefined;
    }, 'two dead letters');
    await herald.call('PATCH', `/v1/tenants/tenant_dlq_off/webhooks/${hook.id}`, {
      body: { status: 'disabled' },
    });

    const run = cli(['dlq', 'replay-all', '--tenant', 'tenant_dlq_off', '--url', herald.url]);
    assert.equal(await finished(run), 0, run.errors());
    assert.match(run.output(), /Replayed 0 dead letter\(s\) of 1 webhook\(s\) of tenant_dlq_off/);
    assert.match(
      run.output(),
      new RegExp(
        `Left 2 dead letter\\(s\\) of ${hook.id} \\(${receiver.url('/dlq-off').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) in the queue: the webhook is disabled`,
      ),
    );
    assert.equal((await herald.call('GET', '/v1/tenants/tenant_dlq_off/dlq')).body.data.length, 2);
  });
});
