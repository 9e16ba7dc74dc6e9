/**
 * A reference for the single-event figure: the least a durable relay does in Node on this machine,
 * built the way Herald is. node:http takes each publish; every publish that arrived in one turn of
 * the event loop is committed in one SQLite transaction (an event row and a delivery row each) and
 * answered 202 after an fdatasync of the WAL; the deliveries go to a worker thread that signs them
 * and POSTs them with undici's `dispatch`; outcomes are written back, one transaction per batch.
 * It has no authentication, validation, routing framework, retries, lanes or history: what Herald
 * does beyond it is the difference between the two figures.
 */
import { fdatasync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { RelayedOutcome, RelaySend } from './durable-relay-sender.js';
import { envelope, type JsonServer, listenJson } from './peer-http.js';
import { serveRpc } from './rpc.js';

export interface RelayOptions {
  port: number;
  /** Every event is delivered to this URL. */
  targetUrl: string;
  /** Where the SQLite file goes. */
  dir: string;
}

interface Publish {
  body: string;
  resolve(id: number): void;
  reject(error: unknown): void;
}

class RelayStore {
  private readonly db: Database.Database;
  private readonly walFd: number;
  private readonly insertEvent: Database.Statement;
  private readonly insertDelivery: Database.Statement;
  private readonly recordOutcome: Database.Statement;
  private waiting: Publish[] = [];

  constructor(
    file: string,
    private readonly send: (batch: RelaySend[]) => void,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE events (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL);
      CREATE TABLE deliveries (id INTEGER PRIMARY KEY, event_seq INTEGER NOT NULL, status INTEGER)`);
    this.insertEvent = this.db.prepare('INSERT INTO events (payload) VALUES (?)');
    this.insertDelivery = this.db.prepare('INSERT INTO deliveries (event_seq) VALUES (?)');
    this.recordOutcome = this.db.prepare('UPDATE deliveries SET status = ? WHERE id = ?');
    this.walFd = openSync(`${file}-wal`, 'r');
  }

  publish(body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ body, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.commit());
    });
  }

  record(outcomes: RelayedOutcome[]): void {
    this.db.transaction(() => {
      for (const { id, status } of outcomes) this.recordOutcome.run(status, id);
    })();
  }

  private commit(): void {
    const batch = this.waiting;
    this.waiting = [];
    const ids = this.db.transaction(() =>
      batch.map(({ body }) => {
        const seq = this.insertEvent.run(body).lastInsertRowid;
        return Number(this.insertDelivery.run(seq).lastInsertRowid);
      }),
    )();
    fdatasync(this.walFd, (error) => {
      batch.forEach((publish, index) => {
        if (error) publish.reject(error);
        else publish.resolve(ids[index] as number);
      });
    });
    // As in Herald, sending starts before the sync ends.
    this.send(batch.map(({ body }, index) => ({ id: ids[index] as number, body })));
  }
}

let server: JsonServer | null = null;
let sender: Worker | null = null;

function startSender(targetUrl: string): Worker {
  // The thread runs TypeScript under tsx, whose loader a worker does not inherit.
  const entry = JSON.stringify(new URL('./durable-relay-sender.ts', import.meta.url).href);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`;
  return new Worker(bootstrap, { eval: true, workerData: { targetUrl } });
}

async function start(options: RelayOptions): Promise<void> {
  const thread = startSender(options.targetUrl);
  sender = thread;
  const store = new RelayStore(join(options.dir, 'relay.db'), (batch) => thread.postMessage(batch));
  thread.on('message', (outcomes: RelayedOutcome[]) => store.record(outcomes));
  server = await listenJson(options.port, async (_url, body) => {
    const id = await store.publish(envelope(body.event, body.data));
    return { statusCode: 202, body: { id, event: body.event, deliveries: 1 } };
  });
}

async function close(): Promise<void> {
  await server?.close();
  await sender?.terminate();
}

serveRpc({ start, close });
