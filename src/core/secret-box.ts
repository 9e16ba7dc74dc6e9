import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** What every sealed value starts with; the version names the format below, should it ever change. */
export const SEALED_PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Hex digits of a key id. */
export const KEY_ID_LENGTH = 12;
/** Opened secrets kept in memory: every webhook a busy worker sends to, with room to spare. */
const OPENED_CACHE_MAX = 50_000;

/** A 256-bit key and the id stored beside every value it seals, so that keys can rotate. */
export interface EncryptionKey {
  id: string;
  bytes: Buffer;
}

/** `HERALD_ENCRYPTION_KEY`'s format: 32 bytes in base64. Throws with the reason otherwise. */
export function parseEncryptionKey(text: string): EncryptionKey {
  const trimmed = text.trim();
  const bytes = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || bytes.length !== KEY_BYTES) {
    throw new Error(`must be ${KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32)`);
  }
  // The id names the key without revealing it: a hash, cut short, of a key too long to guess.
  const id = createHash('sha256')
    .update('herald secret key id')
    .update(bytes)
    .digest('hex')
    .slice(0, KEY_ID_LENGTH);
  return { id, bytes };
}

export function generateEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Whether `stored` is a sealed value rather than a secret stored before encryption came in. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/**
 * Webhook secrets at rest: AES-256-GCM under the current key, a random IV per value, stored as
 * `enc:v1:<key id>:<base64 of IV, ciphertext, tag>`. Values sealed under a previous key still open,
 * so that a key rotation can re-seal them while Herald runs. Opened values are cached by their
 * sealed text, which changes whenever the secret or its key does: claims carry a webhook's secret
 * with every delivery and must not decrypt it every time.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly opened = new Map<string, string>();

  constructor(
    private readonly current: EncryptionKey,
    previous: readonly EncryptionKey[] = [],
  ) {
    for (const key of [current, ...previous]) this.keys.set(key.id, key.bytes);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /** Whether values sealed under key `id` open: it is the current key or a previous one. */
  knows(id: string): boolean {
    return this.keys.has(id);
  }

  /** The prefix of every value sealed under the current key; anything else is due for re-sealing. */
  get currentPrefix(): string {
    return `${SEALED_PREFIX}${this.current.id}:`;
  }

  seal(secret: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    const sealed = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${this.currentPrefix}${sealed.toString('base64')}`;
  }

  /** The secret in `sealed`; throws when its key is not one Herald was given, or it was tampered with. */
  open(sealed: string): string {
    const cached = this.opened.get(sealed);
    if (cached !== undefined) return cached;
    const secret = this.decrypt(sealed);
    if (this.opened.size >= OPENED_CACHE_MAX) this.opened.clear();
    this.opened.set(sealed, secret);
    return secret;
  }

  private decrypt(sealed: string): string {
    if (!isSealed(sealed)) throw new Error('a stored webhook secret is not encrypted (run herald migrate)');
    const [keyId, data] = sealed.slice(SEALED_PREFIX.length).split(':');
    const key = this.keys.get(keyId ?? '');
    if (!key || data === undefined) {
      throw new Error(
        `a webhook secret is encrypted under key ${keyId}, which is neither HERALD_ENCRYPTION_KEY ` +
          'nor in HERALD_ENCRYPTION_KEY_PREVIOUS',
      );
    }
    const bytes = Buffer.from(data, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}
