import type { Worker } from 'node:worker_threads';
import { startThread } from '../../threads.js';
import type { ReadRows } from '../history.js';

export interface ReadThreadSettings {
  path: string;
}

export interface ReadRequest {
  id: number;
  text: string;
  params: Record<string, unknown>;
}

type ReadAnswer = { id: number; rows: unknown[] } | { id: number; error: string };

/**
 * Reads whose cost grows with the data (the queue's numbers scan every pending delivery: over a
 * second for a million; a history's total counts every attempt of a webhook) run on a thread of
 * their own with its own read-only connection, so they never hold up the thread that serves
 * requests and delivers. Every write is committed before its request is answered, so these reads
 * see it. Answers come back in order, one statement at a time.
 */
export class OffThreadReads {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }
  >();
  private readonly exited: Promise<void>;
  /** Why reads are refused: the store is closing, or the thread stopped. */
  private refusal: Error | null = null;

  constructor(path: string) {
    const workerData: ReadThreadSettings = { path };
    this.worker = startThread('read-thread', import.meta.url, { workerData });
    this.worker.unref();
    this.worker.on('message', (answer: ReadAnswer) => {
      const waiter = this.pending.get(answer.id);
      if (!waiter) return;
      this.pending.delete(answer.id);
      if ('error' in answer) waiter.reject(new Error(answer.error));
      else waiter.resolve(answer.rows.map(withBuffers));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        this.refusal ??= new Error('the read thread stopped');
        this.failAll(this.refusal);
        resolve();
      });
    });
  }

  readonly read: ReadRows = <R>(text: string, params: Record<string, unknown>) =>
    new Promise<R[]>((resolve, reject) => {
      if (this.refusal) {
        reject(this.refusal);
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
      // A read under way keeps the process alive until it is answered, and no longer.
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, text, params } satisfies ReadRequest);
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });

  async close(): Promise<void> {
    if (this.refusal) return;
    this.refusal = new Error('the store is closing');
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

/** A BLOB crosses threads as a Uint8Array; the store's readers expect what the driver gives, a Buffer. */
function withBuffers(row: unknown): unknown {
  const record = row as Record<string, unknown>;
  for (const [column, value] of Object.entries(record)) {
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      record[column] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return record;
}
