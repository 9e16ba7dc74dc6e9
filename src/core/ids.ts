import { randomBytes, randomFillSync } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeBase32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD[(value << (5 - bits)) & 31];
  return out;
}

/** Random bytes drawn from a pool refilled 4 KB at a time: one system call per ~400 ids, not one each. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function takeRandom(size: number): Buffer {
  if (poolOffset + size > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += size;
  return pool.subarray(poolOffset - size, poolOffset);
}

/**
 * `prefix_` + 26 characters, sortable by creation time (48-bit milliseconds, then 80 random bits),
 * so that ids double as pagination cursors.
 */
export function newId(prefix: string, now = Date.now()): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(now, 0, 6);
  takeRandom(10).copy(bytes, 6);
  return `${prefix}_${encodeBase32(bytes).slice(0, 26)}`;
}

/** An unguessable token for API keys and webhook secrets. */
export function newSecretToken(prefix: string, bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}
