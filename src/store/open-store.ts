import { HeraldError } from '../core/errors.js';
import type { Store } from './store.js';

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** The backend named by HERALD_DATABASE: a `postgres://` URL, otherwise a SQLite file path. */
export async function openStore(database: string): Promise<Store> {
  if (isPostgresUrl(database)) {
    throw new HeraldError('INVALID_REQUEST', 'PostgreSQL is not supported yet; use a SQLite file path.');
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return new SqliteStore(database);
}
