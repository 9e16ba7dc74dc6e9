import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBodySignature, checkStandardWebhooksSignature } from '../../src/core/verify-signatures.js';
import { BODY_SIGNATURE_ANSWER, STANDARD_WEBHOOKS_ANSWER } from '../support/known-answers.js';

const SW = {
  ...STANDARD_WEBHOOKS_ANSWER,
  timestamp: String(STANDARD_WEBHOOKS_ANSWER.timestamp),
  body: Buffer.from(STANDARD_WEBHOOKS_ANSWER.body),
};
const BODY_ONLY = { ...BODY_SIGNATURE_ANSWER, body: Buffer.from(BODY_SIGNATURE_ANSWER.body) };

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
