import { mkdirSync } from 'node:fs';

/**
 * Creates the directory that holds the SQLite database and the keys kept beside it, readable by
 * Herald's user alone. A directory that already exists keeps its mode: it may be shared (/tmp).
 */
export function makeDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}
