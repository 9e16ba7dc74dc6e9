import type { SecretBox } from '../../core/secret-box.js';
import { FANOUT_STEP_MS } from '../bounded-work.js';
import { SQLITE_KEY_LIST } from '../dead-letter-filter.js';
import { type ReadRows, sqlHistory } from '../history.js';
import { DEFAULT_IDEMPOTENCY_WINDOW_MS, type StoreSettings } from '../idempotency.js';
import { LeaseIds } from '../lease-ids.js';
import { readQueueStats } from '../queue-stats.js';
import { QueuedWorkListeners } from '../queued-work.js';
import { sealPlainSecrets } from '../secrets.js';
import type { DeliveryQueue, Store } from '../store.js';
import { sqliteBackgroundWork } from './background.js';
import { SqliteConnection } from './connection.js';
import { sqliteDirectory } from './directory.js';
import type { TakerSlot } from './handoff.js';
import { sqliteWebhookHealth } from './health.js';
import { sqliteIdempotencyPrune } from './idempotency-prune.js';
import { migrateSqlite, sqliteSchemaVersion } from './migrations.js';
import { OffThreadReads } from './off-thread-reads.js';
import { SqlitePublishBatcher } from './publish-batch.js';
import { sqlitePublisher } from './publisher.js';
import { sqliteQueue } from './queue.js';
import { sqliteRetention } from './retention.js';
import { sqliteSecretKeeping } from './secrets.js';
import { sqliteTenantPurge } from './tenant-purge.js';

/** The embedded backend, with the shortcut that hands new deliveries to the local worker. */
export type SqliteStore = Store & Required<DeliveryQueue>;

export interface SqliteStoreSettings extends StoreSettings {
  secrets: SecretBox;
  /** How long one background fan-out step may run (FANOUT_STEP_MS); tests fix it to count steps. */
  fanoutStepMs?: number;
}

/**
 * The embedded backend: one file in WAL mode (see SqliteConnection for what is synced when), and
 * each role in a module of its own over that one connection.
 */
export function openSqliteStore(path: string, settings: SqliteStoreSettings): SqliteStore {
  const { secrets } = settings;
  const idempotencyWindowMs = settings.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS;
  const connection = new SqliteConnection(path);
  const leases = new LeaseIds();
  const queued = new QueuedWorkListeners();
  const slot: TakerSlot = { taker: null };
  const batcher = new SqlitePublishBatcher(connection, leases, queued, slot, idempotencyWindowMs, secrets);
  const keeping = sqliteSecretKeeping(connection, secrets);
  const read: ReadRows = async <R>(text: string, params: Record<string, unknown>) =>
    connection.sql(text).all(params) as R[];
  // An in-memory database has no file another connection could open.
  const offThread = path === ':memory:' ? null : new OffThreadReads(path);
  return {
    backend: 'sqlite',
    async migrate() {
      migrateSqlite(connection);
      await sealPlainSecrets(keeping);
    },
    async close() {
      // Publishes already accepted into a batch are committed (and synced) before the file closes.
      batcher.flush();
      await offThread?.close();
      await connection.close();
    },
    ...sqliteDirectory(connection, queued, secrets),
    ...sqlitePublisher(connection, leases, queued, batcher, secrets),
    ...sqliteQueue(connection, leases, queued, slot, secrets),
    ...sqliteWebhookHealth(connection, batcher, queued, secrets),
    ...keeping,
    ...sqliteBackgroundWork(connection, queued, settings.fanoutStepMs ?? FANOUT_STEP_MS),
    ...sqliteRetention(connection),
    ...sqliteTenantPurge(connection),
    ...sqliteIdempotencyPrune(connection, idempotencyWindowMs),
    // Reads of the history (lists with their totals over deep histories) and the queue's numbers
    // scan as much as a tenant has: never on the thread that serves requests and delivers.
    ...sqlHistory(offThread?.read ?? read, SQLITE_KEY_LIST),
    queueStats: (now) => readQueueStats(offThread?.read ?? read, now),
    schemaVersion: async () => sqliteSchemaVersion(connection),
  };
}
