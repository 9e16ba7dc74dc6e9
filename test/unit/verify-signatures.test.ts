import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBodySignature, checkStandardWebhooksSignature } from '../../src/core/verify-signatures.js';

/** Known answers from DESIGN.md ("Signing"), as in signing.test.ts. */
const SW = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: Buffer.from('{"test": 2432232314}'),
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const BODY_ONLY = {
  secret: "It's a Secret to Everybody",
  body: Buffer.from('Hello, World!'),
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};

describe('checking a delivery as herald listen does', () => {
  it('accepts X-Webhook-Signature only whole, with its sha256= prefix', () => {
    const { secret, body, signature } = BODY_ONLY;
    assert.equal(checkBodySignature(secret, body, signature), 'valid');
    assert.equal(checkBodySignature(secret, body, signature.slice('sha256='.length)), 'invalid');
    assert.equal(checkBodySignature('another secret', body, signature), 'invalid');
    assert.equal(checkBodySignature(secret, Buffer.from('Hello, World?'), signature), 'invalid');
    assert.equal(checkBodySignature(secret, body, undefined), 'missing');
  });

  it('accepts a Standard Webhooks signature among several, and nothing else', () => {
    const { secret, id, timestamp, body, signature } = SW;
    const check = (headers: { id?: string; timestamp?: string; signature?: string }) =>
      checkStandardWebhooksSignature(secret, body, headers);
    assert.equal(check({ id, timestamp, signature }), 'valid');
    assert.equal(check({ id, timestamp, signature: `v1,c29tZXRoaW5nIGVsc2U= ${signature}` }), 'valid');
    assert.equal(check({ id, timestamp: '1614265331', signature }), 'invalid');
    assert.equal(check({ id: 'msg_other', timestamp, signature }), 'invalid');
    assert.equal(check({ id, timestamp: 'soon', signature }), 'invalid');
    assert.equal(check({ id, timestamp }), 'missing');
  });
});
