import { parseEncryptionKey, SecretBox } from '../../src/core/secret-box.js';

/** The key tests seal webhook secrets with (HERALD_ENCRYPTION_KEY's format: 32 bytes in base64). */
export const TEST_ENCRYPTION_KEY_TEXT = Buffer.alloc(32, 7).toString('base64');
export const TEST_ENCRYPTION_KEY = parseEncryptionKey(TEST_ENCRYPTION_KEY_TEXT);

export function testSecretBox(): SecretBox {
  return new SecretBox(TEST_ENCRYPTION_KEY);
}
