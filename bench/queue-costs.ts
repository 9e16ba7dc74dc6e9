/**
 * What the PostgreSQL server spends on a delivery once it is published: its claim and the write of
 * its outcome, through Herald's Store (as a worker calls it) beside the minimal relay's statements
 * (lib/durable-relay-pg-sql.ts). A backlog of `--deliveries` to one webhook is claimed and completed
 * `--batch` at a time, one statement after the other on one connection, each side on a schema of its
 * own. The server's CPU is read from /proc/<backend pid>/schedstat (nanoseconds on the CPU) around
 * each statement, so the figures do not depend on how busy the rest of the machine is the way rates
 * do; the server must run on this machine.
 *
 *   node --import tsx bench/queue-costs.ts [--deliveries 20000] [--batch 50] [--postgres URL]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { decideOutcome } from '../src/core/outcome.js';
import { buildEvent } from '../src/core/payload.js';
import { DEFAULT_RETRY_AFTER_CAP_MS, DEFAULT_RETRY_SCHEDULE } from '../src/core/retry-policy.js';
import { generateEncryptionKey, parseEncryptionKey, SecretBox } from '../src/core/secret-box.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { CLAIM, PUBLISH, RECORD, SCHEMA } from './lib/durable-relay-pg-sql.js';
import { EVENT_TYPE, eventData, TENANT_ID } from './lib/payload.js';
import { envelope } from './lib/peer-http.js';

const { values: args } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '50' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name} must be a whole number of at least 1, not "${text}"\n`);
    process.exit(2);
  }
  return value;
}
const DELIVERIES = positiveInteger('deliveries', args.deliveries);
const BATCH = positiveInteger('batch', args.batch);
/** Publishes a statement while the backlog is built: building it is not what is measured. */
const PUBLISH_CHUNK = 500;
const APPLICATION = `herald-queue-costs-${process.pid}`;

/** Server CPU per delivery, in µs, of each statement kind. */
interface Costs {
  claim: number;
  outcome: number;
}

function cpuNanoseconds(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

/** Sums, per statement kind, the CPU of the backends named APPLICATION while each call runs. */
class ServerCpu {
  private readonly spent = new Map<string, number>();

  constructor(private readonly backends: () => Promise<number[]>) {}

  async around<T>(kind: keyof Costs, call: () => Promise<T>): Promise<T> {
    const pids = await this.backends();
    const before = pids.map(cpuNanoseconds);
    const result = await call();
    const used = pids.reduce((sum, pid, i) => sum + cpuNanoseconds(pid) - (before[i] ?? 0), 0);
    this.spent.set(kind, (this.spent.get(kind) ?? 0) + used);
    return result;
  }

  perDelivery(delivered: number): Costs {
    const micros = (kind: keyof Costs) => (this.spent.get(kind) ?? 0) / 1_000 / delivered;
    return { claim: micros('claim'), outcome: micros('outcome') };
  }
}

async function heraldCosts(admin: pg.Client): Promise<Costs> {
  const schema = `queue_costs_${process.pid}`;
  const key = parseEncryptionKey(generateEncryptionKey());
  const store = openPostgresStore(args.postgres, {
    schema,
    poolSize: 1,
    applicationName: APPLICATION,
    secrets: new SecretBox(key),
  });
  try {
    await store.migrate();
    const start = Date.now();
    await store.createTenant({ id: TENANT_ID, name: TENANT_ID, createdAt: start });
    await store.createWebhook({
      id: 'wh_costs',
      tenantId: TENANT_ID,
      url: 'http://127.0.0.1:9/costs',
      description: '',
      events: [],
      status: 'active',
      secret: 'whsec_costs',
      createdAt: start,
      updatedAt: start,
    });
    for (let published = 0; published < DELIVERIES; published += PUBLISH_CHUNK) {
      const events = Array.from({ length: Math.min(PUBLISH_CHUNK, DELIVERIES - published) }, (_, i) =>
        buildEvent({
          id: `evt_costs_${published + i}`,
          tenantId: TENANT_ID,
          event: EVENT_TYPE,
          data: eventData(published + i, start),
          now: start,
        }),
      );
      await store.publishEvents(events, start);
    }
    await admin.query(`ANALYZE ${schema}.deliveries, ${schema}.events`);
    const cpu = new ServerCpu(() => backendsOf(admin));
    const policy = { schedule: DEFAULT_RETRY_SCHEDULE, retryAfterCapMs: DEFAULT_RETRY_AFTER_CAP_MS };
    let delivered = 0;
    for (;;) {
      const now = Date.now();
      const claimed = await cpu.around('claim', () =>
        store.claimDueDeliveries({
          owner: 'costs',
          now,
          leaseUntil: now + 60_000,
          limit: BATCH,
          perWebhookLimit: BATCH,
        }),
      );
      if (claimed.length === 0) break;
      // What a 200 answer records: the signed headers the attempt sent and an empty body.
      const outcomes = claimed.map((delivery) =>
        decideOutcome(
          delivery,
          {
            statusCode: 200,
            responseTimeMs: 2,
            attemptedAt: now,
            error: null,
            responseBody: '',
            requestHeaders: {
              'content-type': 'application/json',
              'user-agent': 'Herald-Webhooks/1.0',
              'webhook-id': delivery.eventId,
              'webhook-timestamp': String(Math.floor(now / 1000)),
              'x-webhook-signature': `sha256=${'0'.repeat(64)}`,
              'webhook-signature': `v1,${'A'.repeat(43)}=`,
            },
            retryAfterMs: null,
          },
          policy,
          now,
        ),
      );
      await cpu.around('outcome', () => store.completeDeliveries(outcomes, now));
      delivered += claimed.length;
    }
    return cpu.perDelivery(delivered);
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}

async function relayCosts(admin: pg.Client): Promise<Costs> {
  const schema = `queue_costs_relay_${process.pid}`;
  const db = new pg.Client({
    connectionString: args.postgres,
    application_name: APPLICATION,
    options: `-c search_path=${schema} -c jit=off`,
  });
  await db.connect();
  try {
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(SCHEMA);
    for (let published = 0; published < DELIVERIES; published += PUBLISH_CHUNK) {
      const bodies = Array.from({ length: Math.min(PUBLISH_CHUNK, DELIVERIES - published) }, (_, i) =>
        envelope(EVENT_TYPE, eventData(published + i, Date.now())),
      );
      await db.query({ ...PUBLISH, values: [bodies] });
    }
    await db.query('ANALYZE events, deliveries');
    const cpu = new ServerCpu(() => backendsOf(admin));
    let delivered = 0;
    for (;;) {
      const { rows } = await cpu.around('claim', () =>
        db.query<{ id: string }>({ ...CLAIM, values: [BATCH] }),
      );
      if (rows.length === 0) break;
      const values = [rows.map((row) => row.id), rows.map(() => 200)];
      await cpu.around('outcome', () => db.query({ ...RECORD, values }));
      delivered += rows.length;
    }
    return cpu.perDelivery(delivered);
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  }
}

async function backendsOf(admin: pg.Client): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [APPLICATION],
  );
  return rows.map((row) => row.pid);
}

const admin = new pg.Client({ connectionString: args.postgres });
await admin.connect();
try {
  const herald = await heraldCosts(admin);
  const relay = await relayCosts(admin);
  const row = (name: string, costs: Costs) =>
    `| ${name} | ${costs.claim.toFixed(1)} | ${costs.outcome.toFixed(1)} | ${(costs.claim + costs.outcome).toFixed(1)} |`;
  process.stdout.write(
    [
      `Server CPU per delivery (µs), ${DELIVERIES} deliveries to one webhook, claimed and completed ${BATCH} at a time:`,
      '',
      '| | claim | outcome | both |',
      '|---|---:|---:|---:|',
      row('Herald (Store)', herald),
      row('minimal relay', relay),
      '',
    ].join('\n'),
  );
} finally {
  await admin.end();
}
