/**
 * The scenarios of issue 5. Each `measure` call is one run: it starts what it needs (a fresh Herald
 * on a fresh database, mostly), drives it with the load generator, reads the receiver's figures, and
 * stops what it started. Nothing here asserts on time: targets are judged in the report.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { CLI, HeraldApi, HeraldProcess, newAdminKey } from './lib/herald.js';
import type { LoadPlan, LoadResult } from './lib/loadgen.js';
import { EVENT_TYPE, eventData, TENANT_ID, wallNow } from './lib/payload.js';
import { freePort } from './lib/procs.js';
import type { ReceiverReset, ReceiverStats } from './lib/receiver.js';
import { Remote } from './lib/rpc.js';

export interface Sizes {
  ceilingRequests: number;
  singleEvents: number;
  batchEvents: number;
  latencySeconds: number;
  fanoutWebhooks: number;
  isolationWebhooks: number;
  isolationEvents: number;
  backlogDeliveries: number;
  postgresEvents: number;
  peerEvents: number;
}

export const QUICK: Sizes = {
  ceilingRequests: 20_000,
  singleEvents: 5_000,
  batchEvents: 10_000,
  latencySeconds: 5,
  fanoutWebhooks: 1_000,
  isolationWebhooks: 100,
  isolationEvents: 50,
  backlogDeliveries: 20_000,
  postgresEvents: 2_000,
  peerEvents: 5_000,
};

export const FULL: Sizes = {
  ceilingRequests: 200_000,
  singleEvents: 100_000,
  batchEvents: 100_000,
  latencySeconds: 30,
  fanoutWebhooks: 1_000,
  isolationWebhooks: 100,
  isolationEvents: 500,
  backlogDeliveries: 1_000_000,
  postgresEvents: 30_000,
  peerEvents: 50_000,
};

export interface Context {
  receiver: Remote;
  receiverUrl: string;
  loadgen: Remote;
  workDir: string;
  sizes: Sizes;
  quick: boolean;
  /** Extra node flags for Herald processes (e.g. --cpu-prof). */
  heraldNodeArgs: string[];
  postgresUrl: string;
  redis: { host: string; port: number };
  peerConcurrency: number;
  log(line: string): void;
}

/** One run's figures (keyed as the scenario declares them) and whatever explains them. */
export interface RunResult {
  values: Record<string, number>;
  details: Record<string, unknown>;
}

export interface FigureSpec {
  key: string;
  label: string;
  unit: string;
  /** Shown as a ratio to the ceiling of the same benchmark run. */
  ratio?: boolean;
  /** Issue 5's target, as text and as a check on the median (and its ratio). */
  target?: { text: string; met(median: number, ratio: number | null): boolean };
}

export interface Scenario {
  id: string;
  title: string;
  figures: FigureSpec[];
  runs(ctx: Context, fullRuns: number): number;
  /** A reason to skip the scenario on this machine/build, or null. */
  skip?(ctx: Context): Promise<string | null>;
  /** Once before the runs (e.g. registering 1,000 webhooks); its result is passed to each run. */
  setup?(ctx: Context): Promise<unknown>;
  measure(ctx: Context, run: number, state: unknown): Promise<RunResult>;
  teardown?(ctx: Context, state: unknown): Promise<void>;
}

// ---------------------------------------------------------------------------------------------- helpers

let instance = 0;

/** A fresh Herald (SQLite in its own directory), with the benchmark tenant and the given webhooks. */
async function freshHerald(
  ctx: Context,
  webhookPaths: string[],
  env: Record<string, string> = {},
): Promise<{ herald: HeraldProcess; api: HeraldApi; dir: string }> {
  const dir = join(ctx.workDir, `herald-${++instance}`);
  mkdirSync(dir, { recursive: true });
  const adminKey = newAdminKey();
  const herald = await HeraldProcess.start('serve', {
    database: join(dir, 'herald.db'),
    workDir: dir,
    adminKey,
    env,
    nodeArgs: ctx.heraldNodeArgs.map((arg) => arg.replace('{dir}', dir)),
  });
  const api = new HeraldApi(herald.url as string, adminKey);
  await api.createTenant();
  await api.createWebhooks(webhookPaths.map((path) => `${ctx.receiverUrl}${path}`));
  return { herald, api, dir };
}

const eventsUrl = (api: HeraldApi) => `${api.url}/v1/tenants/${TENANT_ID}/events`;

function resetReceiver(ctx: Context, options: ReceiverReset): Promise<void> {
  return ctx.receiver.call('reset', options);
}

function receiverStats(ctx: Context): Promise<ReceiverStats> {
  return ctx.receiver.call('stats');
}

function waitFor(
  ctx: Context,
  count: number,
  options: { group?: string; timeoutMs?: number; idleMs?: number } = {},
): Promise<boolean> {
  return ctx.receiver.call('waitFor', {
    count,
    group: options.group,
    timeoutMs: options.timeoutMs ?? 600_000,
    idleMs: options.idleMs ?? 20_000,
  });
}

function load(ctx: Context, plan: LoadPlan): Promise<LoadResult> {
  return ctx.loadgen.call('run', plan);
}

/** Load results worth keeping in the JSON without the bulk. */
function loadDetails(result: LoadResult) {
  return {
    requests: result.requests,
    failedEvents: result.failedEvents,
    statuses: result.statuses,
    errors: result.errors,
    publishPerSec: Math.round(result.eventsPerSec),
    responseMs: roundAll(result.responseMs),
    maxLagMs: Math.round(result.maxLagMs * 10) / 10,
  };
}

function receiverDetails(stats: ReceiverStats) {
  return {
    received: stats.received,
    delivered: stats.delivered,
    duplicates: stats.duplicates,
    hung: stats.hung,
    rate: Math.round(stats.rate),
    steadyRate: Math.round(stats.steadyRate),
    latencyMs: roundAll(stats.latencyMs),
  };
}

function roundAll<T extends object>(values: T): T {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === 'number' ? Math.round(value * 10) / 10 : value,
    ]),
  ) as T;
}

/** Fails the run (the table says so) when deliveries went missing. */
function requireAll(stats: ReceiverStats, expected: number, what: string, load?: LoadResult): void {
  if (load && load.failedEvents > 0) {
    throw new Error(`${load.failedEvents} of ${load.events} publishes failed: ${load.errors.join('; ')}`);
  }
  if (stats.delivered < expected) {
    throw new Error(
      `${what}: only ${stats.delivered} of ${expected} delivered before the receiver went idle`,
    );
  }
}

/** Publishes one batch of `events` through the batch route when the build has it, else one by one. */
async function publishMany(
  ctx: Context,
  api: HeraldApi,
  events: number,
  batch: boolean,
): Promise<LoadResult> {
  return load(
    ctx,
    batch
      ? {
          kind: 'batch',
          url: `${eventsUrl(api)}/batch`,
          headers: api.auth,
          events,
          concurrency: 4,
          batchSize: 1000,
        }
      : { kind: 'single', url: eventsUrl(api), headers: api.auth, events, concurrency: 64 },
  );
}

const ratioAtLeast = (min: number) => (_median: number, ratio: number | null) =>
  ratio !== null && ratio >= min;

// -------------------------------------------------------------------------------------------- scenarios

const ceiling: Scenario = {
  id: 'ceiling',
  title: 'Ceiling: bare undici.request sender → receiver (no storage)',
  figures: [{ key: 'rps', label: 'requests/s', unit: '/s' }],
  runs: (_ctx, full) => full,
  async measure(ctx) {
    const requests = ctx.sizes.ceilingRequests;
    await resetReceiver(ctx, { uniqueSeqs: requests });
    const result = await load(ctx, {
      kind: 'raw',
      url: `${ctx.receiverUrl}/ceiling`,
      events: requests,
      concurrency: 64,
    });
    const stats = await receiverStats(ctx);
    requireAll(stats, requests, 'ceiling', result);
    return {
      values: { rps: stats.rate },
      details: { sender: loadDetails(result), receiver: receiverDetails(stats) },
    };
  },
};

/** Closed-loop publishing through one route to one webhook; deliveries/s at the receiver. */
function throughput(batch: boolean): Scenario {
  return {
    id: batch ? 'throughput-batch' : 'throughput-single',
    title: batch
      ? 'Throughput, batch route (1,000 events per request, 4 clients), one webhook'
      : 'Throughput, single-event API (64 concurrent clients), one webhook',
    figures: [
      {
        key: 'deliveries',
        label: 'deliveries/s at the receiver',
        unit: '/s',
        ratio: true,
        ...(batch ? {} : { target: { text: '≥ 0.5 × ceiling', met: ratioAtLeast(0.5) } }),
      },
      { key: 'publish', label: 'events accepted/s by the API', unit: '/s', ratio: true },
    ],
    runs: (_ctx, full) => full,
    async skip(ctx) {
      if (!batch) return null;
      return (await batchRouteAvailable(ctx))
        ? null
        : 'the batch route POST /v1/tenants/:t/events/batch is not in this build';
    },
    async measure(ctx) {
      const events = batch ? ctx.sizes.batchEvents : ctx.sizes.singleEvents;
      const { herald, api } = await freshHerald(ctx, ['/one/0']);
      try {
        await resetReceiver(ctx, { uniqueSeqs: events });
        const result = await publishMany(ctx, api, events, batch);
        await waitFor(ctx, events);
        const stats = await receiverStats(ctx);
        herald.sample();
        requireAll(stats, events, 'throughput', result);
        return {
          values: { deliveries: stats.rate, publish: result.eventsPerSec },
          details: {
            publisher: loadDetails(result),
            receiver: receiverDetails(stats),
            peakRssMb: Math.round(herald.peakRssMb),
          },
        };
      } finally {
        await herald.stop();
      }
    },
  };
}

let batchRoute: boolean | null = null;
/** Asks a throwaway Herald whether this build has the batch route (once per benchmark run). */
async function batchRouteAvailable(ctx: Context): Promise<boolean> {
  if (batchRoute !== null) return batchRoute;
  const { herald, api } = await freshHerald(ctx, []);
  try {
    batchRoute = await api.hasBatchRoute();
  } finally {
    await herald.stop();
  }
  return batchRoute;
}

const latency: Scenario = {
  id: 'latency',
  title: 'Latency at 1,000 events/s, open loop, single-event API, one webhook',
  figures: [
    { key: 'p50', label: 'publish→receipt p50', unit: 'ms' },
    { key: 'p95', label: 'publish→receipt p95', unit: 'ms' },
    {
      key: 'p99',
      label: 'publish→receipt p99',
      unit: 'ms',
      target: { text: '≤ 20 ms', met: (median) => median <= 20 },
    },
    { key: 'max', label: 'publish→receipt max', unit: 'ms' },
  ],
  runs: (_ctx, full) => full,
  async measure(ctx) {
    const rate = 1000;
    const warmup = rate; // the first second is not counted
    const events = warmup + rate * ctx.sizes.latencySeconds;
    const { herald, api } = await freshHerald(ctx, ['/one/0']);
    try {
      await resetReceiver(ctx, { uniqueSeqs: events, latencyFromSeq: warmup });
      const result = await load(ctx, {
        kind: 'single',
        url: eventsUrl(api),
        headers: api.auth,
        events,
        concurrency: 256,
        rate,
      });
      await waitFor(ctx, events);
      const stats = await receiverStats(ctx);
      requireAll(stats, events, 'latency', result);
      const { p50, p95, p99, max } = stats.latencyMs;
      return {
        values: { p50, p95, p99, max },
        details: { publisher: loadDetails(result), receiver: receiverDetails(stats) },
      };
    } finally {
      await herald.stop();
    }
  },
};

const fanout: Scenario = {
  id: 'fanout',
  title: 'Fan-out: one event to 1,000 webhooks (distinct paths)',
  figures: [
    {
      key: 'allDeliveredMs',
      label: 'publish → all delivered',
      unit: 'ms',
      target: { text: '≤ 1,000 ms', met: (median) => median <= 1000 },
    },
    { key: 'rate', label: 'deliveries/s during the fan-out', unit: '/s' },
  ],
  runs: (_ctx, full) => Math.max(full, full > 1 ? 5 : 1),
  async setup(ctx) {
    const paths = Array.from({ length: ctx.sizes.fanoutWebhooks }, (_, i) => `/fan/${i}`);
    const started = await freshHerald(ctx, paths);
    await publishOne(ctx, started.api, -1); // warm-up, not counted
    return started;
  },
  async measure(ctx, run, state) {
    const { api } = state as Awaited<ReturnType<typeof freshHerald>>;
    const { stats, ms } = await publishOne(ctx, api, run);
    if (stats.distinctPaths < ctx.sizes.fanoutWebhooks) {
      throw new Error(
        `only ${stats.distinctPaths} of ${ctx.sizes.fanoutWebhooks} webhooks received the event`,
      );
    }
    return {
      values: { allDeliveredMs: ms, rate: stats.rate },
      details: { receiver: receiverDetails(stats) },
    };
  },
  async teardown(_ctx, state) {
    await (state as Awaited<ReturnType<typeof freshHerald>>).herald.stop();
  },
};

async function publishOne(
  ctx: Context,
  api: HeraldApi,
  seq: number,
): Promise<{ stats: ReceiverStats; ms: number }> {
  await resetReceiver(ctx, {});
  const sentAt = wallNow();
  const answer = await request(eventsUrl(api), {
    method: 'POST',
    headers: { ...api.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ event: EVENT_TYPE, data: eventData(Math.max(seq, 0), sentAt) }),
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 202) throw new Error(`publish: HTTP ${answer.statusCode} ${text}`);
  await waitFor(ctx, ctx.sizes.fanoutWebhooks, { group: 'fan', idleMs: 10_000 });
  const stats = await receiverStats(ctx);
  const group = stats.groups.fan;
  return { stats, ms: group ? group.lastAt - sentAt : Number.NaN };
}

const isolation: Scenario = {
  id: 'isolation',
  title: 'Isolation: 10 % of 100 webhooks hang (delivery timeout 2 s); every event goes to all 100',
  figures: [
    { key: 'healthy', label: 'healthy deliveries/s with 10 % hanging', unit: '/s', ratio: true },
    { key: 'baseline', label: 'deliveries/s with none hanging', unit: '/s', ratio: true },
    {
      key: 'ratio',
      label: 'healthy ÷ none-hanging',
      unit: '×',
      target: { text: '≥ 0.9', met: (median) => median >= 0.9 },
    },
  ],
  runs: (_ctx, full) => full,
  async measure(ctx) {
    const webhooks = ctx.sizes.isolationWebhooks;
    const events = ctx.sizes.isolationEvents;
    const hanging = Math.round(webhooks / 10);
    const env = { HERALD_DELIVERY_TIMEOUT: '2s' };
    const rates: Record<string, number> = {};
    const details: Record<string, unknown> = {};
    for (const variant of ['baseline', 'healthy'] as const) {
      const bad = variant === 'healthy' ? hanging : 0;
      const paths = Array.from({ length: webhooks }, (_, i) => (i < bad ? `/hang/${i}` : `/ok/${i}`));
      const { herald, api } = await freshHerald(ctx, paths, env);
      try {
        await resetReceiver(ctx, {});
        await ctx.receiver.call('hang', { prefixes: ['/hang/'] });
        const expected = (webhooks - bad) * events;
        const result = await load(ctx, {
          kind: 'single',
          url: eventsUrl(api),
          headers: api.auth,
          events,
          concurrency: 8,
        });
        const reached = await waitFor(ctx, expected, { group: 'ok', idleMs: 20_000 });
        const stats = await receiverStats(ctx);
        const ok = stats.groups.ok;
        if (!reached || !ok)
          throw new Error(`${variant}: ${ok?.received ?? 0} of ${expected} healthy deliveries arrived`);
        rates[variant] = ok.rate;
        details[variant] = { publisher: loadDetails(result), healthyReceived: ok.received, hung: stats.hung };
      } finally {
        await herald.stop();
        await ctx.receiver.call('hang', { prefixes: [] });
      }
    }
    const healthy = rates.healthy ?? Number.NaN;
    const baseline = rates.baseline ?? Number.NaN;
    return { values: { healthy, baseline, ratio: healthy / baseline }, details };
  },
};

const backlog: Scenario = {
  id: 'backlog',
  title: 'Backlog: deliveries queued while the receiver refuses connections, then drained',
  figures: [
    {
      key: 'drain',
      label: 'drain rate after the receiver is back',
      unit: '/s',
      ratio: true,
      target: { text: '≥ 0.7 × ceiling', met: ratioAtLeast(0.7) },
    },
    {
      key: 'peakRssMb',
      label: 'Herald peak RSS',
      unit: 'MB',
      target: { text: '≤ 300 MB (for 1M queued)', met: (median) => median <= 300 },
    },
    { key: 'queuePerSec', label: 'events queued/s while the receiver is down', unit: '/s' },
  ],
  runs: () => 1,
  async measure(ctx) {
    const deliveries = ctx.sizes.backlogDeliveries;
    const useBatch = await batchRouteAvailable(ctx);
    // 100 retries one second apart: every refused attempt is due again a second later, and none
    // reaches the dead letter queue while the receiver is down.
    const schedule = Array.from({ length: 100 }, () => '1s').join(',');
    const { herald, api, dir } = await freshHerald(ctx, ['/one/0'], { HERALD_RETRY_SCHEDULE: schedule });
    try {
      await resetReceiver(ctx, { uniqueSeqs: deliveries });
      await ctx.receiver.call('down');
      ctx.log(`  queueing ${deliveries.toLocaleString('en')} deliveries while the receiver is down…`);
      const result = await publishMany(ctx, api, deliveries, useBatch);
      if (result.failedEvents > 0) {
        throw new Error(`${result.failedEvents} publishes failed: ${result.errors.join('; ')}`);
      }
      const queuedRssMb = herald.peakRssMb;
      const { at: upAt } = await ctx.receiver.call<{ at: number }>('up');
      ctx.log('  receiver up; draining…');
      await waitFor(ctx, deliveries, { idleMs: 30_000, timeoutMs: 1_200_000 });
      const stats = await receiverStats(ctx);
      herald.sample();
      requireAll(stats, deliveries, 'backlog');
      const drain = (stats.delivered / (stats.lastAt - upAt)) * 1000;
      const dbBytes = ['herald.db', 'herald.db-wal']
        .map((file) => join(dir, file))
        .filter((file) => existsSync(file))
        .reduce((sum, file) => sum + statSync(file).size, 0);
      return {
        values: { drain, peakRssMb: herald.peakRssMb, queuePerSec: result.eventsPerSec },
        details: {
          route: useBatch ? 'batch' : 'single',
          publisher: loadDetails(result),
          receiver: receiverDetails(stats),
          drainSeconds: Math.round((stats.lastAt - upAt) / 100) / 10,
          rssAfterQueueingMb: Math.round(queuedRssMb),
          databaseMb: Math.round(dbBytes / 1e6),
        },
      };
    } finally {
      await ctx.receiver.call('up');
      await herald.stop();
    }
  },
};

/** Whether PostgreSQL answers and this build of Herald accepts a postgres:// database (`herald migrate`). */
async function postgresSkipReason(ctx: Context): Promise<string | null> {
  try {
    return await withDatabase(ctx, async (database) => {
      const { spawnSync } = await import('node:child_process');
      const probe = spawnSync(process.execPath, [CLI, 'migrate'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HERALD_DATABASE: database, HERALD_ADMIN_KEY: newAdminKey() },
        timeout: 60_000,
      });
      if (probe.status === 0) return null;
      const said = `${probe.stderr}${probe.stdout}`.trim();
      if (/not supported/i.test(said)) {
        return `this build of Herald does not support PostgreSQL yet (\`herald migrate\`: ${said.split('\n')[0]})`;
      }
      throw new Error(`\`herald migrate\` on PostgreSQL failed: ${said}`);
    });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('`herald migrate`')) throw error;
    return `PostgreSQL not reachable at ${ctx.postgresUrl}: ${error instanceof Error ? error.message : error}`;
  }
}

async function withDatabase<T>(ctx: Context, fn: (url: string) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const name = `herald_bench_${process.pid}_${++instance}`;
  const admin = new pg.Client({ connectionString: ctx.postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(ctx.postgresUrl);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

const postgres: Scenario = {
  id: 'postgres',
  title: 'PostgreSQL: single-event API (`serve --no-workers`) + 1, 2, 4 `herald worker` processes',
  figures: [1, 2, 4].map((workers) => ({
    key: `workers${workers}`,
    label: `deliveries/s, ${workers} worker process${workers > 1 ? 'es' : ''}`,
    unit: '/s',
    ratio: true,
    ...(workers === 2 ? { target: { text: '≥ 0.4 × ceiling', met: ratioAtLeast(0.4) } } : {}),
  })),
  runs: (_ctx, full) => full,
  skip: postgresSkipReason,
  async measure(ctx) {
    const values: Record<string, number> = {};
    const details: Record<string, unknown> = {};
    for (const workers of [1, 2, 4]) {
      await withDatabase(ctx, async (database) => {
        const dir = join(ctx.workDir, `herald-${++instance}`);
        mkdirSync(dir, { recursive: true });
        const adminKey = newAdminKey();
        const options = { database, workDir: dir, adminKey, nodeArgs: ctx.heraldNodeArgs };
        const apiProcess = await HeraldProcess.start('api', options);
        const processes = [apiProcess];
        try {
          for (let i = 0; i < workers; i++) processes.push(await HeraldProcess.start('worker', options, i));
          const api = new HeraldApi(apiProcess.url as string, adminKey);
          await api.createTenant();
          await api.createWebhooks([`${ctx.receiverUrl}/one/0`]);
          const events = ctx.sizes.postgresEvents;
          await resetReceiver(ctx, { uniqueSeqs: events });
          const result = await load(ctx, {
            kind: 'single',
            url: eventsUrl(api),
            headers: api.auth,
            events,
            concurrency: 64,
          });
          await waitFor(ctx, events);
          const stats = await receiverStats(ctx);
          requireAll(stats, events, `postgres ${workers} workers`, result);
          values[`workers${workers}`] = stats.rate;
          details[`workers${workers}`] = {
            publisher: loadDetails(result),
            receiver: receiverDetails(stats),
            peakRssMb: processes.map((p) => Math.round(p.peakRssMb)),
          };
        } finally {
          await Promise.all(processes.map((p) => p.stop()));
        }
      });
    }
    return { values, details };
  },
};

/** Redis answers on ctx.redis, and bullmq can be loaded. */
async function peerSkipReason(ctx: Context): Promise<string | null> {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect(ctx.redis.port, ctx.redis.host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!reachable) return `Redis not reachable at ${ctx.redis.host}:${ctx.redis.port}`;
  try {
    const { loadBullMq } = await import('./lib/peer-bullmq.js');
    await loadBullMq();
  } catch (error) {
    return `bullmq is not installed (npm install --save-dev bullmq@5): ${error instanceof Error ? error.message.split('\n')[0] : error}`;
  }
  return null;
}

/**
 * One run of a reference deliverer from bench/lib (forked processes serving RPC, each with a
 * `close`): single-event publishes by 64 clients to one webhook, deliveries/s at the receiver.
 * `launch` starts its processes, the one taking publishes on `port`.
 */
async function measureReference(
  ctx: Context,
  reference: {
    name: string;
    events: number;
    details: Record<string, unknown>;
    launch(port: number, targetUrl: string, started: Remote[]): Promise<void>;
  },
): Promise<RunResult> {
  const started: Remote[] = [];
  try {
    const port = await freePort();
    await reference.launch(port, `${ctx.receiverUrl}/one/0`, started);
    await resetReceiver(ctx, { uniqueSeqs: reference.events });
    const result = await load(ctx, {
      kind: 'single',
      url: `http://127.0.0.1:${port}/events`,
      events: reference.events,
      concurrency: 64,
    });
    await waitFor(ctx, reference.events);
    const stats = await receiverStats(ctx);
    requireAll(stats, reference.events, reference.name, result);
    return {
      values: { deliveries: stats.rate },
      details: { ...reference.details, publisher: loadDetails(result), receiver: receiverDetails(stats) },
    };
  } finally {
    await Promise.all(started.map((remote) => remote.call('close').catch(() => undefined)));
    await Promise.all(started.map((remote) => remote.stop()));
  }
}

/** Starts one process of a reference deliverer and calls `method` on it; it joins `started`. */
async function startRemote(
  started: Remote[],
  name: string,
  module: string,
  method: string,
  options: Record<string, unknown>,
): Promise<void> {
  const remote = await Remote.start(name, module);
  started.push(remote);
  await remote.call(method, options);
}

const durableRelay: Scenario = {
  id: 'relay',
  title:
    'Reference: a minimal durable relay (SQLite group commit + fdatasync, worker-thread sender; no auth, validation, retries or history), single-event publishes, one webhook',
  figures: [{ key: 'deliveries', label: 'deliveries/s at the receiver', unit: '/s', ratio: true }],
  runs: (_ctx, full) => full,
  measure(ctx) {
    const dir = join(ctx.workDir, `relay-${++instance}`);
    mkdirSync(dir, { recursive: true });
    return measureReference(ctx, {
      name: 'durable relay',
      events: ctx.sizes.singleEvents,
      details: {},
      launch: (port, targetUrl, started) =>
        startRemote(started, 'durable relay', './durable-relay.ts', 'start', { port, targetUrl, dir }),
    });
  },
};

const RELAY_POSTGRES_WORKERS = 2;

const durableRelayPostgres: Scenario = {
  id: 'relay-postgres',
  title: `Reference: the minimal durable relay on PostgreSQL, API process + ${RELAY_POSTGRES_WORKERS} worker processes (prepared statements, SKIP LOCKED claims; no auth, validation, retries or history), single-event publishes, one webhook`,
  figures: [{ key: 'deliveries', label: 'deliveries/s at the receiver', unit: '/s', ratio: true }],
  runs: (_ctx, full) => full,
  skip: postgresSkipReason,
  measure: (ctx) =>
    withDatabase(ctx, (database) =>
      measureReference(ctx, {
        name: 'durable relay on PostgreSQL',
        events: ctx.sizes.postgresEvents,
        details: { workers: RELAY_POSTGRES_WORKERS },
        async launch(port, targetUrl, started) {
          const module = './durable-relay-pg.ts';
          await startRemote(started, 'relay api', module, 'startApi', { database, port });
          for (let i = 0; i < RELAY_POSTGRES_WORKERS; i++) {
            await startRemote(started, `relay worker ${i}`, module, 'startWorker', { database, targetUrl });
          }
        },
      }),
    ),
};

const peer: Scenario = {
  id: 'bullmq',
  title: 'Peer: node:http API + BullMQ Worker (undici.request), single-event publishes, one webhook',
  figures: [{ key: 'deliveries', label: 'deliveries/s at the receiver', unit: '/s', ratio: true }],
  runs: (_ctx, full) => full,
  skip: peerSkipReason,
  measure: (ctx) =>
    measureReference(ctx, {
      name: 'bullmq peer',
      events: ctx.sizes.peerEvents,
      details: { workerConcurrency: ctx.peerConcurrency },
      launch: (port, targetUrl, started) =>
        startRemote(started, 'bullmq peer', './peer-bullmq.ts', 'start', {
          port,
          targetUrl,
          redis: ctx.redis,
          concurrency: ctx.peerConcurrency,
        }),
    }),
};

export const SCENARIOS: Scenario[] = [
  ceiling,
  throughput(false),
  durableRelay,
  throughput(true),
  latency,
  fanout,
  isolation,
  backlog,
  postgres,
  durableRelayPostgres,
  peer,
];
