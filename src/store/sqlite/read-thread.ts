import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ReadRequest, ReadThreadSettings } from './off-thread-reads.js';

/**
 * The body of the read thread: a read-only connection to the file answering one statement at a
 * time. WAL mode lets it read a consistent snapshot while the writer goes on.
 */
const { path } = workerData as ReadThreadSettings;
const port = parentPort;
if (!port) throw new Error('read-thread.js runs as a worker thread');

const db = new Database(path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map<string, Database.Statement>();

port.on('message', (message: ReadRequest | 'close') => {
  if (message === 'close') {
    db.close();
    port.close();
    return;
  }
  try {
    let statement = statements.get(message.text);
    if (!statement) {
      statement = db.prepare(message.text);
      statements.set(message.text, statement);
    }
    port.postMessage({ id: message.id, rows: statement.all(message.params) });
  } catch (error) {
    port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
