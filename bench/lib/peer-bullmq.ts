/**
 * The peer: the webhook deliverer a Node team would write themselves on BullMQ, for comparison.
 * A node:http API that enqueues each published event (`queue.add`; `addBulk` on its batch route),
 * and in the same process (as `herald serve` runs both) a BullMQ Worker with tuned concurrency that
 * signs and POSTs each job with undici.request over a keep-alive Agent, retrying with backoff.
 * Durability is Redis's: on this machine Redis runs without AOF or snapshots (see BENCHMARKS.md).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent } from 'undici';
import { type DeliveryJob, deliverSigned, envelope, type JsonServer, listenJson } from './peer-http.js';
import { serveRpc } from './rpc.js';

/** The slice of BullMQ's API this file uses (typed here, so the harness typechecks without it). */
interface Job {
  data: DeliveryJob;
}
interface JobsOptions {
  jobId?: string;
  attempts?: number;
  backoff?: { type: 'exponential'; delay: number };
  removeOnComplete?: boolean;
  removeOnFail?: number;
}
interface Queue {
  add(name: string, data: Job['data'], options?: JobsOptions): Promise<unknown>;
  addBulk(jobs: { name: string; data: Job['data']; opts?: JobsOptions }[]): Promise<unknown>;
  obliterate(options: { force: boolean }): Promise<void>;
  close(): Promise<void>;
}
interface Worker {
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}
interface BullMq {
  Queue: new (name: string, options: { connection: object }) => Queue;
  Worker: new (
    name: string,
    processor: (job: Job) => Promise<void>,
    options: { connection: object; concurrency: number },
  ) => Worker;
}

/**
 * bullmq from the project's node_modules (a devDependency); BENCH_MODULES_DIR points elsewhere
 * (a scratch install) when it is not installed there.
 */
export async function loadBullMq(): Promise<BullMq> {
  const base = process.env.BENCH_MODULES_DIR
    ? join(process.env.BENCH_MODULES_DIR, 'x.js')
    : new URL('../../package.json', import.meta.url).pathname;
  const resolved = createRequire(base).resolve('bullmq');
  return (await import(pathToFileURL(resolved).href)) as BullMq;
}

export interface PeerOptions {
  port: number;
  redis: { host: string; port: number };
  /** Every job is delivered to this URL (one webhook, like the Herald throughput scenario). */
  targetUrl: string;
  concurrency: number;
}

const JOB_OPTIONS: JobsOptions = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: true,
  removeOnFail: 10_000,
};

let queue: Queue | null = null;
let worker: Worker | null = null;
let agent: Agent | null = null;
let server: JsonServer | null = null;

async function start(options: PeerOptions): Promise<void> {
  const { Queue, Worker } = await loadBullMq();
  const name = `herald-bench-${randomUUID()}`;
  const connection = { ...options.redis, maxRetriesPerRequest: null };
  queue = new Queue(name, { connection });
  agent = new Agent({ keepAliveTimeout: 4_000 });
  const dispatcher = agent;
  worker = new Worker(name, (job) => deliverSigned(dispatcher, job.data), {
    connection,
    concurrency: options.concurrency,
  });
  worker.on('error', (error) => process.stderr.write(`peer worker: ${error.message}\n`));

  const target = options.targetUrl;
  const enqueue = queue;
  server = await listenJson(options.port, async (url, body) => {
    if (url === '/events') {
      const id = `evt_${randomUUID()}`;
      await enqueue.add(
        'deliver',
        { url: target, id, payload: envelope(body.event, body.data) },
        { ...JOB_OPTIONS, jobId: id },
      );
      return { statusCode: 202, body: { id, event: body.event, deliveries: 1 } };
    }
    if (url === '/events/batch') {
      const jobs = (body.events as { event: string; data: unknown }[]).map((event) => {
        const id = `evt_${randomUUID()}`;
        return {
          name: 'deliver',
          data: { url: target, id, payload: envelope(event.event, event.data) },
          opts: { ...JOB_OPTIONS, jobId: id },
        };
      });
      await enqueue.addBulk(jobs);
      return { statusCode: 202, body: { data: jobs.map((job) => ({ id: job.data.id, deliveries: 1 })) } };
    }
    return { statusCode: 404, body: { error: { code: 'NOT_FOUND', message: 'no such route' } } };
  });
}

async function close(): Promise<void> {
  await server?.close();
  await worker?.close();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await agent?.close();
}

serveRpc({ start, close });
