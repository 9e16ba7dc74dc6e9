import type { SecretBox } from '../core/secret-box.js';
import type { StoreSettings } from './idempotency.js';
import type { Store } from './store.js';

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/**
 * The backend named by HERALD_DATABASE: a `postgres://` URL, otherwise a SQLite file path.
 * `poolSize` is PostgreSQL's connections per process; SQLite has one. `secrets` seals and opens
 * the webhook secrets it stores.
 */
export async function openStore(
  database: string,
  options: StoreSettings & { poolSize?: number; secrets: SecretBox },
): Promise<Store> {
  const settings = {
    secrets: options.secrets,
    ...(options.idempotencyWindowMs === undefined
      ? {}
      : { idempotencyWindowMs: options.idempotencyWindowMs }),
  };
  if (isPostgresUrl(database)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    // `?schema=name` picks the schema: tests, or several installations sharing one database.
    const url = new URL(database);
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    return openPostgresStore(url.toString(), {
      ...(schema === undefined ? {} : { schema }),
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      ...settings,
    });
  }
  const { openSqliteStore } = await import('./sqlite/sqlite-store.js');
  return openSqliteStore(database, settings);
}
