import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointThreadSettings } from './checkpointer.js';

/**
 * The body of the checkpoint thread: its own connection to the file, copying the WAL back into the
 * database now and then (PASSIVE: it never waits on the writer, nor makes it wait). The fsync of the
 * database file that a checkpoint ends with happens here, not on the thread that serves requests.
 */
const { path, everyMs, truncateEveryMs } = workerData as CheckpointThreadSettings;
const port = parentPort;
if (!port) throw new Error('checkpoint-thread.js runs as a worker thread');

const BUSY_TIMEOUT_MS = 5000;
const db = new Database(path);
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
let truncatedAt = Date.now();

/**
 * A TRUNCATE waits for the writer and the readers, and meanwhile holds new writers back: the writer
 * would wait, blocking the thread that serves requests. So it never waits here; whether it got through.
 */
function truncate(): boolean {
  db.pragma('busy_timeout = 0');
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return result?.busy === 0;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * PASSIVE, except every truncateEveryMs a TRUNCATE: a WAL file keeps the size of its biggest burst
 * (a deletion, a big fan-out) until truncated. One that finds a writer or a reader in the way
 * does what a PASSIVE does and is tried again at the next tick.
 */
function checkpoint(): void {
  if (Date.now() - truncatedAt < truncateEveryMs) {
    db.pragma('wal_checkpoint(PASSIVE)');
    return;
  }
  if (truncate()) truncatedAt = Date.now();
}

const timer = setInterval(checkpoint, everyMs);

port.on('message', (message: 'close') => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.pragma('wal_checkpoint(PASSIVE)');
  db.close();
  port.close();
});
