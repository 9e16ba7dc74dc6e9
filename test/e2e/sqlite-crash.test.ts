/**
 * Crash safety on SQLite, as one `herald serve` process (API and workers) runs it: killed with
 * SIGKILL several times while events are being published to it and delivered, restarted on the same
 * database file each time. Every event it answered 202 must reach the receiver at least once,
 * counted by unique `webhook-id`. (test/e2e/multi-process.test.ts does the same on PostgreSQL.)
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { type HeraldRun, runHerald } from '../support/cli.js';
import { eventually } from '../support/eventually.js';

const KILLS = 3;
/** Publishing clients at once: enough that requests are mid-write when the kill comes. */
const PUBLISHERS = 8;
const ADMIN_KEY = 'sqlite-crash-admin-key-0123456789';
const TENANT = 'tenant_crash';
/** Waiting is generous (the machine may be busy with other suites); the assertion is exact. */
const WAIT_MS = 60_000;

/** Answers 200 at once and remembers every `webhook-id` it was sent. */
class CountingReceiver {
  readonly delivered = new Set<string>();
  requests = 0;
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests += 1;
      req.resume();
      req.on('end', () => {
        this.delivered.add(String(req.headers['webhook-id']));
        res.end('ok');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}

describe('SQLite: SIGKILL mid-burst, restart, nothing acknowledged is lost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sqlite-crash-'));
  const env = {
    HERALD_DATABASE: join(dir, 'herald.db'),
    HERALD_ADMIN_KEY: ADMIN_KEY,
    HERALD_TENANT_PUBLISH_RATE: '0',
    HERALD_ALLOW_NETWORKS: '127.0.0.0/8',
    HERALD_LOG_LEVEL: 'warn',
    HERALD_POLL_INTERVAL: '200ms',
    // The lease of a killed process's claims is 3 × this + 5 s: kept short so they come back soon.
    HERALD_DELIVERY_TIMEOUT: '1s',
    HERALD_RETRY_SCHEDULE: '300ms,300ms,300ms',
  };
  const receiver = new CountingReceiver();
  let current: HeraldRun | null = null;
  // Its own connections, so that the ones the killed process leaves broken are dropped with it.
  let agent = new Agent({ connections: PUBLISHERS });

  before(async () => {
    await receiver.start();
  });
  after(async () => {
    current?.child.kill('SIGKILL');
    await agent.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<string> {
    const run = runHerald(['serve', '--port', '0', '--host', '127.0.0.1'], env);
    current = run;
    return eventually(
      () => {
        if (run.child.exitCode !== null) throw new Error(`herald exited early:\n${run.errors()}`);
        return /listening on (http:\/\/\S+)/.exec(run.output())?.[1];
      },
      'Herald to listen',
      WAIT_MS,
    );
  }

  async function post(base: string, path: string, body: unknown): Promise<number> {
    const response = await request(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher: agent,
    });
    await response.body.dump();
    return response.statusCode;
  }

  it(`delivers every 202'd event after ${KILLS} kills in the middle of publishing`, async (t) => {
    const accepted = new Set<string>();
    let published = 0;
    for (let round = 0; round < KILLS; round += 1) {
      const base = await start();
      if (round === 0) {
        assert.equal(await post(base, '/v1/tenants', { id: TENANT }), 201);
        assert.equal(await post(base, `/v1/tenants/${TENANT}/webhooks`, { url: receiver.url }), 201);
      }
      // Publishers run until the process under them dies; the kill comes after a random number
      // of acknowledged events, so it lands at a different point of the write and delivery paths.
      const killAfter = accepted.size + 200 + Math.floor(Math.random() * 400);
      const publishers = Array.from({ length: PUBLISHERS }, async () => {
        for (;;) {
          const id = `evt_crash_${round}_${published++}`;
          try {
            const status = await post(base, `/v1/tenants/${TENANT}/events`, {
              id,
              event: 'kpi.alert',
              data: { round },
            });
            if (status === 202) accepted.add(id);
          } catch {
            return; // The process is gone.
          }
        }
      });
      await eventually(() => accepted.size >= killAfter || undefined, 'events to be accepted', WAIT_MS);
      const run = current;
      assert.ok(run);
      run.child.kill('SIGKILL');
      await run.exited;
      await Promise.all(publishers);
      await agent.close();
      agent = new Agent({ connections: PUBLISHERS });
    }

    await start();
    await eventually(
      () => [...accepted].every((id) => receiver.delivered.has(id)) || undefined,
      'every accepted event to be delivered',
      WAIT_MS,
    ).catch((error: Error) => {
      const missing = [...accepted].filter((id) => !receiver.delivered.has(id));
      throw new Error(
        `${error.message}: ${missing.length} of ${accepted.size} missing, e.g. ${missing.slice(0, 5)}`,
      );
    });
    t.diagnostic(
      `${accepted.size} events accepted across ${KILLS} kills; the receiver got ${receiver.requests} ` +
        `requests for ${receiver.delivered.size} distinct events`,
    );
  });
});
