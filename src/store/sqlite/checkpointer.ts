import type { Worker } from 'node:worker_threads';
import { startThread } from '../../threads.js';

/** How often the checkpoint thread works (see checkpoint-thread.ts). */
export interface CheckpointSchedule {
  /** How often it copies the WAL back. */
  everyMs: number;
  /** How often it also truncates the WAL file. */
  truncateEveryMs: number;
}

/** What the checkpoint thread is started with. */
export interface CheckpointThreadSettings extends CheckpointSchedule {
  path: string;
}

/**
 * Often enough that the WAL stays a few megabytes under load; the file shrinks back within a minute
 * of a burst that made it bigger.
 */
export const CHECKPOINT_SCHEDULE: CheckpointSchedule = { everyMs: 200, truncateEveryMs: 60_000 };

/**
 * Runs the WAL's checkpoints on a thread of its own. SQLite otherwise checkpoints inside the commit
 * that crosses a thousand pages of WAL: on the thread that serves requests, copying megabytes and
 * ending with an fsync of the database file (tens of milliseconds each, measured during a big
 * fan-out). The writer's connection turns its own checkpoints off while this runs, and back on if
 * the thread stops, so the WAL never grows without bound.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private closing = false;
  private readonly exited: Promise<unknown>;

  constructor(path: string, schedule: CheckpointSchedule, onStopped: () => void) {
    const workerData: CheckpointThreadSettings = { path, ...schedule };
    this.worker = startThread('checkpoint-thread', import.meta.url, { workerData });
    this.worker.unref();
    this.worker.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        if (!this.closing) onStopped();
        resolve(undefined);
      });
    });
  }

  /** A last checkpoint, then the thread ends. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Unreferenced, the thread would not keep the process alive until it has finished closing.
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }
}
