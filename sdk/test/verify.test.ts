import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { STANDARD_WEBHOOKS_ANSWER } from '../../test/support/known-answers.js';
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from '../src/index.js';

const KNOWN = STANDARD_WEBHOOKS_ANSWER;
const KNOWN_NOW = KNOWN.timestamp * 1000;

function knownHeaders(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    'webhook-id': KNOWN.id,
    'webhook-timestamp': String(KNOWN.timestamp),
    'webhook-signature': KNOWN.signature,
    ...overrides,
  };
}

function refusal(reason: WebhookVerificationReason, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof WebhookVerificationError, `expected a WebhookVerificationError, got ${error}`);
    assert.equal(error.reason, reason, error.message);
    if (message) assert.match(error.message, message);
    return true;
  };
}

describe('verifyWebhook: Standard Webhooks headers', () => {
  it('accepts the reference known answer and returns the payload, id and timestamp', () => {
    const verified = verifyWebhook(KNOWN.body, knownHeaders(), KNOWN.secret, { now: KNOWN_NOW });
    assert.deepEqual(verified, { payload: { test: 2432232314 }, id: KNOWN.id, timestamp: KNOWN.timestamp });
  });

  it('accepts the body as bytes, headers in any case, and a fetch Headers object', () => {
    const bytes = new TextEncoder().encode(KNOWN.body);
    const shouted = {
      'Webhook-Id': KNOWN.id,
      'WEBHOOK-TIMESTAMP': String(KNOWN.timestamp),
      'Webhook-Signature': KNOWN.signature,
    };
    assert.equal(verifyWebhook(bytes, shouted, KNOWN.secret, { now: KNOWN_NOW }).id, KNOWN.id);
    const headers = new Headers(knownHeaders() as Record<string, string>);
    assert.equal(verifyWebhook(KNOWN.body, headers, KNOWN.secret, { now: KNOWN_NOW }).id, KNOWN.id);
  });

  it('accepts any matching signature of several (a secret rotation), skipping other versions', () => {
    const other = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    const signatures = `v2,abc ${other} ${KNOWN.signature}`;
    const headers = knownHeaders({ 'webhook-signature': signatures });
    assert.equal(verifyWebhook(KNOWN.body, headers, KNOWN.secret, { now: KNOWN_NOW }).id, KNOWN.id);
    const withoutMatch = knownHeaders({ 'webhook-signature': `v2,abc ${other}` });
    assert.throws(
      () => verifyWebhook(KNOWN.body, withoutMatch, KNOWN.secret, { now: KNOWN_NOW }),
      refusal('bad_signature'),
    );
  });

  it('refuses a changed body, id or timestamp, and another secret', () => {
    const now = { now: KNOWN_NOW };
    const cases: [string, Record<string, string | undefined>, string][] = [
      ['{"test": 2432232315}', knownHeaders(), KNOWN.secret],
      [KNOWN.body, knownHeaders({ 'webhook-id': 'msg_other' }), KNOWN.secret],
      [KNOWN.body, knownHeaders({ 'webhook-timestamp': String(KNOWN.timestamp + 1) }), KNOWN.secret],
      [KNOWN.body, knownHeaders(), 'whsec_bm90IHRoZSBzZWNyZXQgdGhhdCBzaWduZWQgdGhpcw=='],
      [KNOWN.body, knownHeaders({ 'webhook-signature': 'v1,' }), KNOWN.secret],
    ];
    for (const [body, headers, secret] of cases) {
      assert.throws(
        () => verifyWebhook(body, headers, secret, now),
        refusal('bad_signature', /v1 signature/),
      );
    }
  });

  it('refuses timestamps beyond the tolerance either way, and accepts them at its edge', () => {
    const tolerance = { toleranceSeconds: 60 };
    const at = (seconds: number) => ({ ...tolerance, now: (KNOWN.timestamp + seconds) * 1000 });
    assert.equal(verifyWebhook(KNOWN.body, knownHeaders(), KNOWN.secret, at(60)).id, KNOWN.id);
    assert.equal(verifyWebhook(KNOWN.body, knownHeaders(), KNOWN.secret, at(-60)).id, KNOWN.id);
    assert.throws(
      () => verifyWebhook(KNOWN.body, knownHeaders(), KNOWN.secret, at(61)),
      refusal('timestamp_too_old', /61 s old, more than the 60 s/),
    );
    assert.throws(
      () => verifyWebhook(KNOWN.body, knownHeaders(), KNOWN.secret, at(-61)),
      refusal('timestamp_too_new', /61 s in the future/),
    );
    // The default tolerance is five minutes.
    const defaultAt = (seconds: number) => ({ now: (KNOWN.timestamp + seconds) * 1000 });
    assert.equal(verifyWebhook(KNOWN.body, knownHeaders(), KNOWN.secret, defaultAt(300)).id, KNOWN.id);
    assert.throws(
      () => verifyWebhook(KNOWN.body, knownHeaders(), KNOWN.secret, defaultAt(301)),
      refusal('timestamp_too_old'),
    );
  });

  it('refuses a stale request even when its signature is right: a replay', () => {
    assert.throws(
      () => verifyWebhook(KNOWN.body, knownHeaders(), KNOWN.secret),
      refusal('timestamp_too_old'),
    );
  });

  it('refuses a timestamp that is not whole seconds', () => {
    for (const timestamp of ['', '1614265330.5', '-1', 'soon', `${KNOWN.timestamp}000000000`]) {
      assert.throws(
        () => verifyWebhook(KNOWN.body, knownHeaders({ 'webhook-timestamp': timestamp }), KNOWN.secret),
        refusal('invalid_timestamp'),
      );
    }
  });

  it('refuses a signature without the id or timestamp it signs, and a request with no signature', () => {
    for (const missing of ['webhook-id', 'webhook-timestamp']) {
      assert.throws(
        () =>
          verifyWebhook(KNOWN.body, knownHeaders({ [missing]: undefined }), KNOWN.secret, { now: KNOWN_NOW }),
        refusal('missing_headers', /webhook-id and webhook-timestamp/),
      );
    }
    const unsigned = { 'webhook-id': KNOWN.id, 'webhook-timestamp': String(KNOWN.timestamp) };
    assert.throws(
      () => verifyWebhook(KNOWN.body, unsigned, KNOWN.secret, { now: KNOWN_NOW }),
      refusal('missing_headers', /unsigned/),
    );
  });

  it('refuses a correctly signed body that is not JSON', () => {
    const body = 'not json';
    const signature = new StandardWebhook(KNOWN.secret).sign(KNOWN.id, new Date(KNOWN_NOW), body);
    const headers = knownHeaders({ 'webhook-signature': signature });
    assert.throws(
      () => verifyWebhook(body, headers, KNOWN.secret, { now: KNOWN_NOW }),
      refusal('invalid_payload'),
    );
  });
});

describe('verifyWebhook: the secret', () => {
  it('refuses an empty secret, with which anyone could sign', () => {
    const forged = `sha256=${createHmac('sha256', '').update(KNOWN.body).digest('hex')}`;
    assert.throws(() => verifyWebhook(KNOWN.body, { 'x-webhook-signature': forged }, ''), {
      name: 'TypeError',
      message: /empty secret/,
    });
  });
});

describe('verifyWebhook agrees with the standardwebhooks library', () => {
  const body = JSON.stringify({ event: 'kpi.alert', tenantId: 't1', data: { value: 'é ✓' } });
  // Now, because the library checks the timestamp against its own clock.
  const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const options = { now: signedAt.getTime() };

  it('accepts what the library signs with a whsec_ secret', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = new StandardWebhook(secret).sign('msg_1', signedAt, body);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(signedAt.getTime() / 1000),
      'webhook-signature': signature,
    };
    assert.deepEqual(verifyWebhook(body, headers, secret, options).payload, JSON.parse(body));
    assert.deepEqual(new StandardWebhook(secret).verify(body, headers), JSON.parse(body));
  });

  it("keys a secret without whsec_ by its UTF-8 bytes, as the library's raw format does", () => {
    const secret = 'a plain shared secret ✓';
    const signature = new StandardWebhook(Buffer.from(secret, 'utf8'), { format: 'raw' }).sign(
      'msg_2',
      signedAt,
      body,
    );
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(signedAt.getTime() / 1000),
      'webhook-signature': signature,
    };
    assert.equal(verifyWebhook(body, headers, secret, options).id, 'msg_2');
    assert.throws(() => verifyWebhook(body, headers, `${secret}!`, options), refusal('bad_signature'));
  });
});

describe('verifyWebhook: X-Webhook-Signature', () => {
  // Known answer (DESIGN.md): the body is not JSON, so the signature is accepted and the parse refused.
  const secret = "It's a Secret to Everybody";
  const known = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('accepts the known answer, whatever the case of its hex, and reaches the payload', () => {
    for (const signature of [known, `sha256=${known.slice(7).toUpperCase()}`]) {
      assert.throws(
        () => verifyWebhook('Hello, World!', { 'x-webhook-signature': signature }, secret),
        refusal('invalid_payload'),
      );
    }
  });

  it('returns the payload with no id or timestamp, since the signature covers the body alone', () => {
    const body = '{"event":"kpi.alert","data":{}}';
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    assert.deepEqual(
      verifyWebhook(body, { 'X-Webhook-Signature': signature, 'webhook-id': 'evt_1' }, secret),
      {
        payload: { event: 'kpi.alert', data: {} },
        id: null,
        timestamp: null,
      },
    );
  });

  it('refuses another body, another secret and malformed signatures', () => {
    const header = (signature: string) => ({ 'x-webhook-signature': signature });
    const cases: [string, string, string][] = [
      ['Hello, World?', known, secret],
      ['Hello, World!', known, `${secret}.`],
      ['Hello, World!', known.slice(7), secret],
      ['Hello, World!', known.slice(0, -2), secret],
      ['Hello, World!', `sha1=${known.slice(7)}`, secret],
      ['Hello, World!', `${known}00`, secret],
    ];
    for (const [body, signature, key] of cases) {
      assert.throws(
        () => verifyWebhook(body, header(signature), key),
        refusal('bad_signature', /X-Webhook-Signature/),
      );
    }
  });
});
