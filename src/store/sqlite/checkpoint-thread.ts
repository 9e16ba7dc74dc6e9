import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointThreadSettings } from './checkpointer.js';

/**
 * The body of the checkpoint thread: its own connection to the file, copying the WAL back into the
 * database now and then (PASSIVE: it never waits on the writer, nor makes it wait). The fsync of the
 * database file that a checkpoint ends with happens here, not on the thread that serves requests.
 */
const { path, everyMs } = workerData as CheckpointThreadSettings;
const port = parentPort;
if (!port) throw new Error('checkpoint-thread.js runs as a worker thread');

const db = new Database(path);
db.pragma('busy_timeout = 5000');
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)');
const timer = setInterval(checkpoint, everyMs);

port.on('message', (message: 'close') => {
  if (message !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  port.close();
});
