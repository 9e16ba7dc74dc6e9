import { chmodSync, closeSync, existsSync, fdatasync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { makeDataDir } from '../data-dir.js';
import { CHECKPOINT_SCHEDULE, type CheckpointSchedule, WalCheckpointer } from './checkpointer.js';

/** SQLite's own checkpoint threshold in pages, restored if the checkpoint thread stops. */
const SQLITE_AUTOCHECKPOINT = 1000;

/**
 * Creates the database file for its owner alone (0600), in a data directory of its own (0700), and
 * takes back read access that earlier versions left others on an existing file. SQLite creates the
 * WAL and shared-memory files with the database file's mode.
 */
function makePrivateDatabaseFile(path: string): void {
  makeDataDir(dirname(path));
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      // Another user's file: its owner decides who may read it.
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    }
  }
}

/**
 * The one SQLite connection of a process, in WAL mode. A write the API acknowledges is on disk
 * before the answer: the commit writes the WAL (`synchronous=NORMAL`, which survives a process
 * crash) and the answer waits for `durable()`, an fdatasync of the WAL, which is what
 * `synchronous=FULL` would do inside the commit. Doing it here instead lets it run on libuv's thread
 * pool while this thread goes on, and one sync serves every commit written before it started
 * (group commit).
 *
 * Writes whose loss in a power cut costs at most a repeated attempt (claims, outcomes, releases)
 * do not wait for `durable()`; a process crash still loses nothing, and the next sync covers them
 * too, since the WAL is written in order.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** The WAL file, opened once it exists; null for an in-memory database, which has nothing to sync. */
  private readonly walPath: string | null;
  private walFd: number | null = null;
  private syncInFlight = false;
  /** Callers whose writes are in the WAL and who wait for the next sync to start and finish. */
  private syncWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** Checkpoints off this thread (see WalCheckpointer); none for an in-memory database. */
  private readonly checkpointer: WalCheckpointer | null = null;

  constructor(path: string, checkpoints: CheckpointSchedule = CHECKPOINT_SCHEDULE) {
    this.walPath = path === ':memory:' ? null : `${path}-wal`;
    if (path !== ':memory:') makePrivateDatabaseFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    if (path !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new WalCheckpointer(path, checkpoints, () =>
        this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`),
      );
    }
  }

  /** The statement for `text`, prepared once per connection. */
  sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Runs `write` in one IMMEDIATE transaction (the writer lock from the start, never upgraded). */
  transaction<T>(write: () => T): T {
    return this.db.transaction(write).immediate();
  }

  /** Resolves after an fdatasync of the WAL that started after this call, so it covers every commit so far. */
  durable(): Promise<void> {
    if (this.walPath === null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      if (!this.syncInFlight) this.startWalSync();
    });
  }

  private startWalSync(): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    this.syncInFlight = true;
    try {
      // The WAL keeps its inode for the life of the connection (a checkpoint rewinds it, never replaces it).
      this.walFd ??= openSync(this.walPath as string, 'r');
    } catch (error) {
      this.syncInFlight = false;
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    fdatasync(this.walFd, (error) => {
      this.syncInFlight = false;
      for (const waiter of waiters) {
        if (error) waiter.reject(error);
        else waiter.resolve();
      }
      if (this.syncWaiters.length > 0) this.startWalSync();
    });
  }

  /** Waits for a sync under way (its callers are owed an answer), then closes the file. */
  async close(): Promise<void> {
    if (this.syncInFlight || this.syncWaiters.length > 0) await this.durable();
    if (this.walFd !== null) closeSync(this.walFd);
    await this.checkpointer?.close();
    this.db.close();
  }
}

/** A row named a parent that is not there: in practice a tenant deleted meanwhile. */
export function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
