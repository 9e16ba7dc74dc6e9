import pg from 'pg';
import type { StoreSettings } from '../idempotency.js';
import { isDeadlock, isUnavailable, translateError } from './errors.js';
import type { PreparedStatement } from './statements.js';

export interface PostgresStoreOptions extends StoreSettings {
  /** Connections in the pool (default 10). The LISTEN connection comes on top. */
  poolSize?: number;
  /** The schema holding Herald's tables (default `public`); created by migrate() when missing. */
  schema?: string;
  /** Shown in pg_stat_activity (default `herald`), so operators can tell Herald's connections apart. */
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A deadlock can only arise between overlapping batches (a reused idempotency key, a stale lease). */
const DEADLOCK_RETRIES = 3;

/**
 * bigint columns hold epoch milliseconds and row keys, all far below 2^53: hand them out as numbers.
 * Scoped to this store's connections rather than set globally on pg.types.
 */
function typeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
  return types;
}

/**
 * A store's connections to one schema: a pool for statements and transactions, and the settings
 * any extra connection (the LISTEN one) must share. Errors come out translated (translateError):
 * 503 while the database is away, 400 for text it refuses.
 */
export class PostgresConnection {
  readonly pool: pg.Pool;
  readonly clientConfig: pg.ClientConfig;
  readonly schema: string;

  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    this.schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) {
      throw new Error(`Schema name "${this.schema}" must be lower-case letters, digits and underscores.`);
    }
    this.clientConfig = {
      connectionString,
      application_name: options.applicationName ?? 'herald',
      // JIT pays off for long analytical queries, never for Herald's short ones; and the queue
      // functions' disabled sorts inflate plan costs past jit_above_cost, which made each claim
      // spend most of a second compiling.
      options: `-c search_path=${this.schema} -c jit=off`,
      types: typeParsers(),
      // Without a timeout a request waits forever for a database that is down; with it, it gets a 503.
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    };
    this.pool = new pg.Pool({ ...this.clientConfig, max: options.poolSize ?? 10 });
    // An idle connection that drops (database restart, pg_terminate_backend) emits 'error' on the
    // pool; the pool has already discarded it and opens a new one on demand. Unhandled, the event
    // would crash the process.
    this.pool.on('error', () => undefined);
  }

  /** One statement on a pooled connection, retried when it lost a deadlock (it was rolled back). */
  async query<R extends pg.QueryResultRow>(
    statement: string | PreparedStatement,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    const config = typeof statement === 'string' ? { text: statement, values } : { ...statement, values };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(config);
      } catch (error) {
        if (attempt < DEADLOCK_RETRIES && isDeadlock(error)) continue;
        throw translateError(error);
      }
    }
  }

  /**
   * Runs `work` on one checked-out connection. A connection that dropped meanwhile, or that `work`
   * spoils (a failed rollback, a half-done migration), is destroyed instead of going back to the pool.
   */
  async withClient<T>(
    work: (client: pg.PoolClient, spoil: (error: unknown) => void) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateError(error);
    }
    let broken: Error | undefined;
    const spoil = (error: unknown) => {
      broken ??= error instanceof Error ? error : new Error(String(error));
    };
    // A checked-out client whose connection drops between statements emits 'error'; the pool only
    // listens while the client is idle.
    client.on('error', spoil);
    try {
      return await work(client, spoil);
    } catch (error) {
      if (isUnavailable(error)) spoil(error);
      throw translateError(error);
    } finally {
      client.off('error', spoil);
      client.release(broken);
    }
  }

  /** Several statements on one connection, committed together or not at all. */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client, spoil) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(spoil);
        throw error;
      }
    });
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
