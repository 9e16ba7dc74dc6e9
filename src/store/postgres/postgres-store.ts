import type { SecretBox } from '../../core/secret-box.js';
import { POSTGRES_KEY_LIST } from '../dead-letter-filter.js';
import { type ReadRows, sqlHistory } from '../history.js';
import { DEFAULT_IDEMPOTENCY_WINDOW_MS } from '../idempotency.js';
import { LeaseIds } from '../lease-ids.js';
import { readQueueStats } from '../queue-stats.js';
import { QueuedWorkListeners } from '../queued-work.js';
import { sealPlainSecrets } from '../secrets.js';
import type { Store } from '../store.js';
import { postgresBackgroundWork } from './background.js';
import { PostgresConnection, type PostgresStoreOptions } from './connection.js';
import { postgresDirectory } from './directory.js';
import { postgresWebhookHealth } from './health.js';
import { postgresIdempotencyPrune } from './idempotency-prune.js';
import { migratePostgres, postgresSchemaVersion } from './migrations.js';
import { toPositional } from './named-params.js';
import { QueuedWorkListener } from './notifications.js';
import { PostgresPublishBatcher } from './publish-batch.js';
import { postgresPublisher } from './publisher.js';
import { postgresQueue } from './queue.js';
import { postgresRetention } from './retention.js';
import { postgresSecretKeeping } from './secrets.js';
import { postgresTenantPurge } from './tenant-purge.js';

export type { PostgresStoreOptions } from './connection.js';

/**
 * The scale-out backend: any number of API and worker processes share one database. The queue is
 * the deliveries table; workers lease rows with FOR UPDATE SKIP LOCKED; new work is announced with
 * NOTIFY. Each role is a module of its own over one pool of connections.
 */
export function openPostgresStore(
  connectionString: string,
  options: PostgresStoreOptions & { secrets: SecretBox },
): Store {
  const { secrets } = options;
  const connection = new PostgresConnection(connectionString, options);
  const idempotencyWindowMs = options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS;
  const leases = new LeaseIds();
  const queued = new QueuedWorkListeners();
  const remote = new QueuedWorkListener(
    connection.clientConfig,
    connection.schema,
    leases.instance,
    (kind, tenants) => queued.announce(kind, tenants),
  );
  const batcher = new PostgresPublishBatcher(connection, leases, queued, idempotencyWindowMs);
  const keeping = postgresSecretKeeping(connection, secrets);
  const read: ReadRows = async <R>(text: string, params: Record<string, unknown>) => {
    const { text: numbered, values } = toPositional(text, params);
    return (await connection.query(numbered, values)).rows as R[];
  };
  let closing: Promise<void> | null = null;
  return {
    backend: 'postgres',
    async migrate() {
      await migratePostgres(connection);
      await sealPlainSecrets(keeping);
    },
    close() {
      closing ??= (async () => {
        // Publishes already accepted into a batch are committed (or fail) before the pool goes.
        await batcher.drain();
        await remote.stop();
        await connection.end();
      })();
      return closing;
    },
    ...postgresDirectory(connection, leases, queued, remote, secrets),
    ...postgresPublisher(connection, leases, queued, batcher, secrets),
    ...postgresQueue(connection, leases, queued, remote, secrets),
    ...postgresWebhookHealth(connection, leases, queued, secrets),
    ...keeping,
    ...postgresBackgroundWork(connection, leases, queued, remote),
    ...postgresRetention(connection),
    ...postgresTenantPurge(connection),
    ...postgresIdempotencyPrune(connection, idempotencyWindowMs),
    ...sqlHistory(read, POSTGRES_KEY_LIST),
    queueStats: (now) => readQueueStats(read, now),
    schemaVersion: () => postgresSchemaVersion(connection),
  };
}
