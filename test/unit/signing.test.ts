import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { deliveryHeaders } from '../../src/core/delivery-headers.js';
import {
  bodySignature,
  secretProblem,
  standardWebhooksKey,
  standardWebhooksSignature,
} from '../../src/core/signing.js';
import { BODY_SIGNATURE_ANSWER, STANDARD_WEBHOOKS_ANSWER } from '../support/known-answers.js';

const SW = STANDARD_WEBHOOKS_ANSWER;
const BODY_ONLY = BODY_SIGNATURE_ANSWER;

const USER_AGENT = 'Herald/0.1.0 (+https://example.com/herald)';
const PAYLOAD = Buffer.from(
  '{"event":"ingestion.completed","timestamp":"2025-01-15T10:30:00Z","tenantId":"tenant_abc123","data":{"jobId":"job_xyz","table":"sales_data"}}',
  'utf8',
);

/** The verification snippet of the product docs, as a receiver would run it. */
function docsSnippetAccepts(secret: string, requestBody: Buffer, header: string): boolean {
  const signature = crypto.createHmac('sha256', secret).update(requestBody).digest('hex');
  const receivedSignature = header.replace(/^sha256=/, '');
  return signature === receivedSignature;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

describe('known answers', () => {
  it('computes the Standard Webhooks reference signature', () => {
    const signature = standardWebhooksSignature(
      standardWebhooksKey(SW.secret),
      SW.id,
      SW.timestamp,
      Buffer.from(SW.body, 'utf8'),
    );
    assert.equal(signature, SW.signature);
  });

  it('computes the body-only reference signature', () => {
    assert.equal(bodySignature(BODY_ONLY.secret, Buffer.from(BODY_ONLY.body, 'utf8')), BODY_ONLY.signature);
  });

  it('puts both known answers into the delivery headers', () => {
    const sw = deliveryHeaders({
      eventId: SW.id,
      secret: SW.secret,
      payload: Buffer.from(SW.body, 'utf8'),
      attemptedAtSeconds: SW.timestamp,
      userAgent: USER_AGENT,
    });
    assert.equal(sw['webhook-signature'], SW.signature);
    assert.equal(sw['webhook-timestamp'], '1614265330');
    assert.equal(sw['webhook-id'], SW.id);

    const bodyOnly = deliveryHeaders({
      eventId: 'evt_1',
      secret: BODY_ONLY.secret,
      payload: Buffer.from(BODY_ONLY.body, 'utf8'),
      attemptedAtSeconds: SW.timestamp,
      userAgent: USER_AGENT,
    });
    assert.equal(bodyOnly['x-webhook-signature'], BODY_ONLY.signature);
  });

  it('changes the signature when any signed part changes', () => {
    const key = standardWebhooksKey(SW.secret);
    const body = Buffer.from(SW.body, 'utf8');
    assert.notEqual(standardWebhooksSignature(key, 'msg_other', SW.timestamp, body), SW.signature);
    assert.notEqual(standardWebhooksSignature(key, SW.id, SW.timestamp + 1, body), SW.signature);
    assert.notEqual(
      standardWebhooksSignature(key, SW.id, SW.timestamp, Buffer.from('{"test": 2432232315}')),
      SW.signature,
    );
    assert.notEqual(bodySignature(BODY_ONLY.secret, Buffer.from('Hello, World?')), BODY_ONLY.signature);
  });
});

describe('standardWebhooksKey', () => {
  it('base64-decodes what follows whsec_', () => {
    const key = standardWebhooksKey(SW.secret);
    assert.deepEqual(key, Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'));
    assert.equal(key.length, 24);
  });

  it('uses the UTF-8 bytes of any other secret', () => {
    assert.deepEqual(standardWebhooksKey(BODY_ONLY.secret), Buffer.from(BODY_ONLY.secret, 'utf8'));
    assert.deepEqual(standardWebhooksKey('clé'), Buffer.from([0x63, 0x6c, 0xc3, 0xa9]));
    // Valid base64 without the prefix is still taken as text, not decoded.
    assert.equal(standardWebhooksKey('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').length, 32);
  });

  it('only honours the prefix at the start', () => {
    const secret = 'my whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    assert.deepEqual(standardWebhooksKey(secret), Buffer.from(secret, 'utf8'));
  });
});

describe('deliveryHeaders', () => {
  it('sends no signature headers without a secret', () => {
    const headers = deliveryHeaders({
      eventId: 'evt_01jhmzk3c0000000000000000c',
      secret: null,
      payload: PAYLOAD,
      attemptedAtSeconds: 1736937000,
      userAgent: USER_AGENT,
    });
    assert.deepEqual(headers, {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': 'evt_01jhmzk3c0000000000000000c',
      'webhook-timestamp': '1736937000',
    });
  });

  it('adds both signatures with a secret', () => {
    const headers = deliveryHeaders({
      eventId: 'evt_01jhmzk3c0000000000000000c',
      secret: BODY_ONLY.secret,
      payload: PAYLOAD,
      attemptedAtSeconds: 1736937000,
      userAgent: 'custom-agent/2',
    });
    assert.deepEqual(Object.keys(headers).sort(), [
      'content-type',
      'user-agent',
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
      'x-webhook-signature',
    ]);
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['user-agent'], 'custom-agent/2');
    assert.equal(headers['webhook-id'], 'evt_01jhmzk3c0000000000000000c');
    assert.equal(headers['webhook-timestamp'], '1736937000');
    assert.match(headers['x-webhook-signature'] ?? '', /^sha256=[0-9a-f]{64}$/);
    assert.match(headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('keeps webhook-id the event id while the timestamp moves between attempts', () => {
    const input = {
      eventId: 'evt_same',
      secret: 'topsecret-topsecret',
      payload: PAYLOAD,
      userAgent: USER_AGENT,
    };
    const first = deliveryHeaders({ ...input, attemptedAtSeconds: 1736937000 });
    const retry = deliveryHeaders({ ...input, attemptedAtSeconds: 1736937060 });
    assert.equal(first['webhook-id'], 'evt_same');
    assert.equal(retry['webhook-id'], 'evt_same');
    assert.equal(retry['webhook-timestamp'], '1736937060');
    assert.equal(retry['x-webhook-signature'], first['x-webhook-signature']);
    assert.notEqual(retry['webhook-signature'], first['webhook-signature']);
  });

  it('passes the docs snippet for a plain secret', () => {
    const secret = 'my-webhook-secret';
    const headers = deliveryHeaders({
      eventId: 'evt_1',
      secret,
      payload: PAYLOAD,
      attemptedAtSeconds: nowSeconds(),
      userAgent: USER_AGENT,
    });
    const header = headers['x-webhook-signature'] ?? '';
    assert.equal(docsSnippetAccepts(secret, PAYLOAD, header), true);
    assert.equal(docsSnippetAccepts('another-secret', PAYLOAD, header), false);
    assert.equal(docsSnippetAccepts(secret, Buffer.concat([PAYLOAD, Buffer.from(' ')]), header), false);
  });

  it('passes the docs snippet for a whsec_ secret too (HMAC keyed by the secret text)', () => {
    const headers = deliveryHeaders({
      eventId: 'evt_1',
      secret: SW.secret,
      payload: PAYLOAD,
      attemptedAtSeconds: nowSeconds(),
      userAgent: USER_AGENT,
    });
    assert.equal(docsSnippetAccepts(SW.secret, PAYLOAD, headers['x-webhook-signature'] ?? ''), true);
  });

  it('verifies with the standardwebhooks package for a whsec_ secret', () => {
    const headers = deliveryHeaders({
      eventId: 'evt_01jhmzk3c0000000000000000c',
      secret: SW.secret,
      payload: PAYLOAD,
      attemptedAtSeconds: nowSeconds(),
      userAgent: USER_AGENT,
    });
    const parsed = new Webhook(SW.secret).verify(PAYLOAD, headers);
    assert.deepEqual(parsed, JSON.parse(PAYLOAD.toString('utf8')));
  });

  it('verifies with the standardwebhooks package for a plain secret given as base64 of its bytes', () => {
    const secret = 'clé secrète pour Herald';
    const headers = deliveryHeaders({
      eventId: 'evt_01jhmzk3c0000000000000000c',
      secret,
      payload: PAYLOAD,
      attemptedAtSeconds: nowSeconds(),
      userAgent: USER_AGENT,
    });
    const receiver = new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
    assert.deepEqual(receiver.verify(PAYLOAD, headers), JSON.parse(PAYLOAD.toString('utf8')));
  });

  it('is rejected by the standardwebhooks package when something is off', () => {
    const secret = 'clé secrète pour Herald';
    const headers = deliveryHeaders({
      eventId: 'evt_01jhmzk3c0000000000000000c',
      secret,
      payload: PAYLOAD,
      attemptedAtSeconds: nowSeconds(),
      userAgent: USER_AGENT,
    });
    const receiver = new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
    const tampered = Buffer.from(PAYLOAD.toString('utf8').replace('sales_data', 'sales_date'));
    assert.throws(() => receiver.verify(tampered, headers), /No matching signature found/);
    assert.throws(
      () => receiver.verify(PAYLOAD, { ...headers, 'webhook-id': 'evt_other' }),
      /No matching signature found/,
    );
    // The secret's text taken as base64 is a different key: the UTF-8 rule is what receivers must use.
    const wrongKey = new Webhook(Buffer.from('another secret', 'utf8').toString('base64'));
    assert.throws(() => wrongKey.verify(PAYLOAD, headers), /No matching signature found/);
    // Without a secret there is nothing to verify.
    const unsigned = deliveryHeaders({
      eventId: 'evt_1',
      secret: null,
      payload: PAYLOAD,
      attemptedAtSeconds: nowSeconds(),
      userAgent: USER_AGENT,
    });
    assert.throws(() => receiver.verify(PAYLOAD, unsigned), /Missing required headers/);
  });

  it('carries the attempt time, which the package checks against its 5-minute tolerance', () => {
    const headers = deliveryHeaders({
      eventId: 'evt_1',
      secret: SW.secret,
      payload: PAYLOAD,
      attemptedAtSeconds: nowSeconds() - 3600,
      userAgent: USER_AGENT,
    });
    assert.throws(() => new Webhook(SW.secret).verify(PAYLOAD, headers), /Message timestamp too old/);
  });
});

describe('secretProblem', () => {
  it('accepts secrets without the prefix and whsec_ keys of 24 bytes or more, padded or not', () => {
    for (const secret of [
      "It's a Secret to Everybody",
      SW.secret,
      `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
      `whsec_${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`,
    ]) {
      assert.equal(secretProblem(secret), null, secret);
    }
  });

  it('names what is wrong with a whsec_ secret that does not decode to a usable key', () => {
    assert.match(secretProblem('whsec_!!!notbase64!!!') ?? '', /must continue in base64/);
    assert.match(secretProblem('whsec_abcde') ?? '', /must continue in base64/, 'a length no base64 has');
    assert.match(secretProblem('whsec_ab=c') ?? '', /must continue in base64/, 'padding inside');
    assert.match(secretProblem('whsec_') ?? '', /at least 24 bytes; this one has 0/);
    assert.match(
      secretProblem(`whsec_${Buffer.alloc(23).toString('base64')}`) ?? '',
      /at least 24 bytes; this one has 23/,
    );
  });
});

describe('signing during a secret rotation', () => {
  it('signs webhook-signature with the new secret, then the old, and X-Webhook-Signature with the new only', () => {
    const headers = deliveryHeaders({
      eventId: SW.id,
      secret: SW.secret,
      previousSecret: BODY_ONLY.secret,
      payload: Buffer.from(SW.body),
      attemptedAtSeconds: SW.timestamp,
      userAgent: USER_AGENT,
    });
    const oldSignature = standardWebhooksSignature(
      standardWebhooksKey(BODY_ONLY.secret),
      SW.id,
      SW.timestamp,
      Buffer.from(SW.body),
    );
    assert.equal(headers['webhook-signature'], `${SW.signature} ${oldSignature}`);
    assert.equal(headers['x-webhook-signature'], bodySignature(SW.secret, Buffer.from(SW.body)));
  });
});
