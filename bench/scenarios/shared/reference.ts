/** Runs of the reference deliverers in bench/lib (the durable relays, the BullMQ peer) instead of Herald. */
import type { LoadResult } from '../../lib/loadgen.js';
import { cpuMeter, freePort } from '../../lib/procs.js';
import type { ReceiverStats } from '../../lib/receiver.js';
import { Remote } from '../../lib/rpc.js';
import type { Context, FigureSpec, RunResult } from '../scenario.js';
import { publishedAndReceived } from './details.js';
import { drainAfterQueueing, loadUntilDelivered } from './measure.js';
import { databaseCpuMeter } from './postgres-database.js';

/** What every reference scenario reports: the figure `measureReference` measures. */
export const REFERENCE_FIGURES: FigureSpec[] = [
  { key: 'deliveries', label: 'deliveries/s at the receiver', unit: '/s', ratio: true },
  { key: 'cpuUs', label: 'CPU per delivered event (its own processes, not a database server)', unit: 'µs' },
];

/**
 * One run of a reference deliverer (forked processes serving RPC, each with a `close`): single-event
 * publishes by 64 clients to one webhook, deliveries/s at the receiver and CPU per delivery. `launch` starts its
 * processes, the one taking publishes on `port`.
 */
export async function measureReference(
  ctx: Context,
  reference: {
    name: string;
    events: number;
    details: Record<string, unknown>;
    launch(port: number, targetUrl: string, started: Remote[]): Promise<unknown>;
  },
): Promise<RunResult> {
  return withRemotes(async (started) => {
    const port = await freePort();
    await reference.launch(port, `${ctx.receiverUrl}/one/0`, started);
    const cpu = cpuMeter(started.map((remote) => remote.pid));
    const { result, stats } = await loadUntilDelivered(
      ctx,
      { kind: 'single', url: `http://127.0.0.1:${port}/events`, events: reference.events, concurrency: 64 },
      reference.name,
    );
    return {
      values: { deliveries: stats.rate, cpuUs: (cpu() / stats.delivered) * 1e6 },
      details: { ...reference.details, ...publishedAndReceived(result, stats) },
    };
  });
}

/** A reference's backlog drain, and what its workers and its database's backends spent on each delivery. */
export interface ReferenceDrain {
  queued: LoadResult;
  stats: ReceiverStats;
  workerCpuUs: number;
  databaseCpuUs: number;
}

/**
 * A PostgreSQL reference's backlog drain, measured as Herald's is (postgres-backlog.ts): the
 * backlog's single-event publishes to its API on `port` (64 clients) with no worker running, then
 * `startWorkers`; the CPU is counted from the moment they are up.
 */
export async function measureReferenceDrain(
  ctx: Context,
  reference: { what: string; database: string; port: number; startWorkers(): Promise<Remote[]> },
): Promise<ReferenceDrain> {
  const plan = {
    kind: 'single' as const,
    url: `http://127.0.0.1:${reference.port}/events`,
    events: ctx.sizes.postgresBacklog,
    concurrency: 64,
  };
  const costs: { workers?: () => number; database?: () => Promise<number> } = {};
  const drained = await drainAfterQueueing(ctx, plan, reference.what, async () => {
    const workers = await reference.startWorkers();
    costs.workers = cpuMeter(workers.map((worker) => worker.pid));
    costs.database = await databaseCpuMeter(ctx, reference.database);
  });
  const perDelivery = (cpuSeconds: number) => (cpuSeconds / drained.stats.delivered) * 1e6;
  return {
    ...drained,
    workerCpuUs: perDelivery(costs.workers?.() ?? 0),
    databaseCpuUs: perDelivery((await costs.database?.()) ?? 0),
  };
}

/** Runs `fn` with a list of started processes (see startRemote), closed and stopped afterwards. */
export async function withRemotes<T>(fn: (started: Remote[]) => Promise<T>): Promise<T> {
  const started: Remote[] = [];
  try {
    return await fn(started);
  } finally {
    await Promise.all(started.map((remote) => remote.call('close').catch(() => undefined)));
    await Promise.all(started.map((remote) => remote.stop()));
  }
}

/** Starts one process of a reference deliverer and calls `method` on it; it joins `started`. */
export async function startRemote(
  started: Remote[],
  name: string,
  module: string,
  method: string,
  options: Record<string, unknown>,
): Promise<Remote> {
  const remote = await Remote.start(name, module);
  started.push(remote);
  await remote.call(method, options);
  return remote;
}

/** Starts `count` worker processes of a reference deliverer (`module`'s `startWorker`), named `name` 0, 1, … */
export async function startWorkerRemotes(
  started: Remote[],
  count: number,
  worker: { name: string; module: string; options: Record<string, unknown> },
): Promise<Remote[]> {
  const workers: Remote[] = [];
  for (let i = 0; i < count; i++) {
    workers.push(
      await startRemote(started, `${worker.name} ${i}`, worker.module, 'startWorker', worker.options),
    );
  }
  return workers;
}
