/**
 * What the two PostgreSQL job-queue peers (peer-graphile.ts, peer-pgboss.ts) share: the process
 * layout of Herald's `postgres` scenario. An API process (`startApi`) takes publishes on node:http
 * and answers 202 once the job is inserted: one insert per request, or (`batched`) one insert of
 * every publish that arrived while the previous insert was under way. Worker processes
 * (`startWorker`) run the queue's worker, each job signed and POSTed with `undici.request`.
 * Each peer brings only how its library enqueues and works jobs.
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { batchWhileBusy, type DeliveryJob, deliverSigned, envelope, listenJson } from './peer-http.js';
import { serveRpc } from './rpc.js';

/** The slice of a job queue a peer needs. */
export interface PostgresJobQueue {
  /** Creates the queue's schema if needed, and returns how the API process enqueues. */
  openPublisher(database: string): Promise<Publisher>;
  /** Starts working jobs with `deliver` until closed. */
  startWorker(database: string, deliver: (job: DeliveryJob) => Promise<void>): Promise<Closable>;
}

export interface Closable {
  close(): Promise<void>;
}

export interface Publisher extends Closable {
  /** One insert for one job (graphile-worker `addJob`, pg-boss `send`). */
  add(job: DeliveryJob): Promise<void>;
  /** One insert for many jobs (graphile-worker `addJobs`, pg-boss `insert`). */
  addMany(jobs: DeliveryJob[]): Promise<void>;
}

export interface PeerApiOptions {
  database: string;
  port: number;
  /** Every job is delivered to this URL (one webhook, like the Herald scenarios). */
  targetUrl: string;
  /** Publishes that arrive while an insert is under way share the next one. */
  batched: boolean;
}

/** Serves `startApi`, `startWorker` and `close` over RPC for the harness, with `queue` underneath. */
export function servePostgresPeer(queue: PostgresJobQueue): void {
  const open: Closable[] = [];

  async function startApi(options: PeerApiOptions): Promise<void> {
    const publisher = await queue.openPublisher(options.database);
    open.push(publisher);
    const enqueue = options.batched
      ? batchWhileBusy((jobs: DeliveryJob[]) => publisher.addMany(jobs))
      : (job: DeliveryJob) => publisher.add(job);
    open.unshift(
      await listenJson(options.port, async (_url, body) => {
        const id = `evt_${randomUUID()}`;
        await enqueue({ url: options.targetUrl, id, payload: envelope(body.event, body.data) });
        return { statusCode: 202, body: { id, event: body.event, deliveries: 1 } };
      }),
    );
  }

  async function startWorker(options: { database: string }): Promise<void> {
    // 64 connections a process at most, what Herald allows one webhook.
    const agent = new Agent({ connections: 64, keepAliveTimeout: 4_000 });
    open.push(await queue.startWorker(options.database, (job) => deliverSigned(agent, job)));
    open.push({ close: () => agent.close() });
  }

  /** The server first (no new publishes), then the queue, then the connections it used. */
  async function close(): Promise<void> {
    for (const closable of open.splice(0)) await closable.close();
  }

  serveRpc({ startApi, startWorker, close });
}
