import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Creates the directory that holds the SQLite database and the keys kept beside it, readable by
 * Herald's user alone. A directory that already exists keeps its mode: it may be shared (/tmp).
 */
export function makeDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Where the admin key generated on first start is kept: beside the SQLite database. */
export function adminKeyFile(database: string): string {
  return join(dirname(resolve(database)), 'admin-key');
}
