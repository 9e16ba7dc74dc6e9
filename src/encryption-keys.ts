import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, type HeraldConfig } from './config.js';
import {
  type EncryptionKey,
  generateEncryptionKey,
  parseEncryptionKey,
  SecretBox,
} from './core/secret-box.js';
import { makeDataDir } from './store/data-dir.js';
import { isPostgresUrl } from './store/open-store.js';
import type { SecretKeeping } from './store/store.js';

/**
 * The SecretBox webhook secrets are sealed with: HERALD_ENCRYPTION_KEY, else the key generated on
 * first start and kept beside the SQLite database (mode 0600, announced once), with the previous
 * keys still readable. PostgreSQL deployments run many processes, so they must share one key set
 * explicitly, and it must not live in the database it protects.
 */
export function resolveSecretBox(config: HeraldConfig, announce: (line: string) => void): SecretBox {
  return new SecretBox(currentKey(config, announce), config.previousEncryptionKeys);
}

/**
 * Refuses to go on when a stored secret is sealed under a key Herald was not given (a wrong or lost
 * HERALD_ENCRYPTION_KEY, a previous key dropped before herald rotate-key finished): every claim
 * carrying such a secret would fail, so it is better said at start-up.
 */
export async function requireSealingKeys(store: SecretKeeping, secrets: SecretBox): Promise<void> {
  const unknown = (await store.sealingKeyIds()).filter((id) => !secrets.knows(id));
  if (unknown.length > 0) {
    throw new ConfigError([
      `webhook secrets are encrypted under key ${unknown.join(', ')}, which is neither ` +
        'HERALD_ENCRYPTION_KEY nor in HERALD_ENCRYPTION_KEY_PREVIOUS',
    ]);
  }
}

function currentKey(config: HeraldConfig, announce: (line: string) => void): EncryptionKey {
  if (config.encryptionKey) return config.encryptionKey;
  if (isPostgresUrl(config.database)) {
    throw new ConfigError([
      'HERALD_ENCRYPTION_KEY must be set with PostgreSQL: every Herald process must share it ' +
        '(32 bytes in base64, e.g. openssl rand -base64 32)',
    ]);
  }
  const file = join(dirname(resolve(config.database)), 'encryption-key');
  if (!existsSync(file) && writeNewKey(file)) {
    announce(
      `Generated the key that encrypts webhook secrets, kept in ${file}: back it up with the ` +
        'database, whose secrets are unreadable without it.',
    );
  }
  try {
    return parseEncryptionKey(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${file} ${(error as Error).message}`]);
  }
}

/** Writes a new key to `file` unless another process just did (then false: both use that one). */
function writeNewKey(file: string): boolean {
  makeDataDir(dirname(file));
  try {
    writeFileSync(file, `${generateEncryptionKey()}\n`, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
