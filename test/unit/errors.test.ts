import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ERROR_STATUS,
  type ErrorCode,
  HeraldError,
  notFound,
  unknownEventType,
} from '../../src/core/errors.js';

const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

describe('ERROR_STATUS', () => {
  it('has codes to check', () => {
    assert.ok(CODES.length >= 10, `only ${CODES.length} codes`);
  });

  for (const code of CODES) {
    it(`${code} is an upper-case code with a 4xx or 5xx status`, () => {
      assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      const status = ERROR_STATUS[code];
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code} → ${status}`);
    });
  }

  it('maps the codes clients branch on to their documented statuses', () => {
    assert.equal(ERROR_STATUS.UNAUTHORIZED, 401);
    assert.equal(ERROR_STATUS.PORTAL_LINK_EXPIRED, 401);
    assert.equal(ERROR_STATUS.PORTAL_LINK_INVALID, 401);
    assert.equal(ERROR_STATUS.ADMIN_KEY_REQUIRED, 403);
    assert.equal(ERROR_STATUS.TENANT_NOT_FOUND, 404);
    assert.equal(ERROR_STATUS.VALIDATION_FAILED, 422);
    assert.equal(ERROR_STATUS.QUOTA_EXCEEDED, 422);
    assert.equal(ERROR_STATUS.RATE_LIMITED, 429);
    assert.equal(ERROR_STATUS.URI_TOO_LONG, 414);
    assert.equal(ERROR_STATUS.HEADERS_TOO_LARGE, 431);
    assert.equal(ERROR_STATUS.INTERNAL, 500);
  });
});

describe('HeraldError', () => {
  it('carries its code, the status of its code and its message', () => {
    for (const code of CODES) {
      const error = new HeraldError(code, `Something about ${code}.`);
      assert.ok(error instanceof Error);
      assert.ok(error instanceof HeraldError);
      assert.equal(error.name, 'HeraldError');
      assert.equal(error.code, code);
      assert.equal(error.status, ERROR_STATUS[code]);
      assert.equal(error.message, `Something about ${code}.`);
    }
  });

  it('serializes as {error: {code, message}} and nothing else', () => {
    const error = new HeraldError('WEBHOOK_DISABLED', 'Enable the webhook first.');
    assert.deepEqual(error.toJSON(), {
      error: { code: 'WEBHOOK_DISABLED', message: 'Enable the webhook first.' },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(error)), {
      error: { code: 'WEBHOOK_DISABLED', message: 'Enable the webhook first.' },
    });
    assert.equal(JSON.stringify(error).includes('stack'), false);
    assert.equal(JSON.stringify(error).includes('409'), false);
  });

  it('carries a Retry-After for the header, never in the body', () => {
    const error = new HeraldError('RATE_LIMITED', 'Slow down a little.', 3);
    assert.equal(error.retryAfterSeconds, 3);
    assert.deepEqual(error.toJSON(), { error: { code: 'RATE_LIMITED', message: 'Slow down a little.' } });
    assert.equal(new HeraldError('INTERNAL', 'Something broke.').retryAfterSeconds, undefined);
  });
});

describe('notFound', () => {
  const cases = [
    ['tenant', notFound.tenant, 'TENANT_NOT_FOUND'],
    ['apiKey', notFound.apiKey, 'API_KEY_NOT_FOUND'],
    ['webhook', notFound.webhook, 'WEBHOOK_NOT_FOUND'],
    ['delivery', notFound.delivery, 'DELIVERY_NOT_FOUND'],
    ['event', notFound.event, 'EVENT_NOT_FOUND'],
    ['deadLetter', notFound.deadLetter, 'DEAD_LETTER_NOT_FOUND'],
    ['eventType', notFound.eventType, 'EVENT_TYPE_NOT_FOUND'],
  ] as const;

  it('covers every helper', () => {
    assert.deepEqual(Object.keys(notFound).sort(), cases.map(([name]) => name).sort());
  });

  for (const [name, make, code] of cases) {
    it(`${name} gives ${code} with status 404 naming the id`, () => {
      const error = make('thing_7q2x');
      assert.ok(error instanceof HeraldError);
      assert.equal(error.code, code);
      assert.equal(error.status, 404);
      assert.match(error.message, /thing_7q2x/);
    });
  }
});

describe('unknownEventType', () => {
  it('is a 422 naming the type and where to find the known ones', () => {
    const error = unknownEventType('kpi.alrt');
    assert.equal(error.code, 'UNKNOWN_EVENT_TYPE');
    assert.equal(error.status, 422);
    assert.match(error.message, /"kpi\.alrt"/);
    assert.match(error.message, /\/v1\/event-types/);
  });
});
