import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateEncryptionKey, parseEncryptionKey, SecretBox } from '../../src/core/secret-box.js';

const KEY = parseEncryptionKey(Buffer.alloc(32, 1).toString('base64'));
const OTHER = parseEncryptionKey(Buffer.alloc(32, 2).toString('base64'));

describe('SecretBox', () => {
  it('seals as enc:v1:<key id>:<base64>, and opens what it sealed', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    assert.match(sealed, new RegExp(`^enc:v1:${KEY.id}:[A-Za-z0-9+/]+=*$`));
    assert.equal(sealed.startsWith(box.currentPrefix), true);
    // 12-byte IV + ciphertext as long as the text + 16-byte tag.
    const bytes = Buffer.from(sealed.split(':')[3] as string, 'base64');
    assert.equal(bytes.length, 12 + 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'.length + 16);
    assert.equal(new SecretBox(KEY).open(sealed), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });

  it('opens values of a previous key, and names the key it lacks', () => {
    const old = new SecretBox(OTHER).seal('s3cret');
    assert.equal(new SecretBox(KEY, [OTHER]).open(old), 's3cret');
    assert.throws(() => new SecretBox(KEY).open(old), new RegExp(`under key ${OTHER.id}, which is neither`));
    assert.throws(() => new SecretBox(KEY).open('plain text'), /not encrypted/);
  });

  it('gives every key a distinct id that does not reveal it', () => {
    assert.notEqual(KEY.id, OTHER.id);
    assert.match(KEY.id, /^[0-9a-f]{12}$/);
    assert.ok(!Buffer.alloc(32, 1).toString('hex').includes(KEY.id));
  });

  it('reads HERALD_ENCRYPTION_KEY as 32 bytes of base64, and generates such keys', () => {
    assert.equal(parseEncryptionKey(generateEncryptionKey()).bytes.length, 32);
    assert.notEqual(generateEncryptionKey(), generateEncryptionKey());
    for (const bad of ['', 'short', Buffer.alloc(31).toString('base64'), `${'A'.repeat(43)}!`]) {
      assert.throws(() => parseEncryptionKey(bad), /32 bytes in base64/, bad);
    }
  });
});
