import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId, newSecretToken } from '../../src/core/ids.js';
import {
  buildEvent,
  formatEventTimestamp,
  nestsDeeperThan,
  serializePayload,
} from '../../src/core/payload.js';

const JAN_15 = Date.UTC(2025, 0, 15, 10, 30, 0);
const ID_SHAPE = /^evt_[0-9a-hjkmnp-tv-z]{26}$/;

describe('serializePayload', () => {
  it('writes the documented keys in the documented order', () => {
    const bytes = serializePayload('ingestion.completed', JAN_15, 'tenant_abc123', {
      jobId: 'job_xyz',
      table: 'sales_data',
    });
    assert.ok(Buffer.isBuffer(bytes));
    assert.equal(
      bytes.toString('utf8'),
      '{"event":"ingestion.completed","timestamp":"2025-01-15T10:30:00Z","tenantId":"tenant_abc123",' +
        '"data":{"jobId":"job_xyz","table":"sales_data"}}',
    );
    assert.deepEqual(Object.keys(JSON.parse(bytes.toString('utf8'))), [
      'event',
      'timestamp',
      'tenantId',
      'data',
    ]);
  });

  it('encodes as UTF-8', () => {
    const bytes = serializePayload('kpi.alert', JAN_15, 't', { note: 'café ✓' });
    assert.equal(JSON.parse(bytes.toString('utf8')).data.note, 'café ✓');
    assert.ok(bytes.includes(Buffer.from('café ✓', 'utf8')));
  });

  it('keeps null and array data', () => {
    assert.equal(JSON.parse(serializePayload('kpi.alert', JAN_15, 't', null).toString()).data, null);
    assert.deepEqual(JSON.parse(serializePayload('kpi.alert', JAN_15, 't', [1, 'a']).toString()).data, [
      1,
      'a',
    ]);
  });
});

describe('nestsDeeperThan', () => {
  it('counts objects and arrays as levels, scalars as none', () => {
    assert.equal(nestsDeeperThan('text', 0), false);
    assert.equal(nestsDeeperThan(null, 0), false);
    assert.equal(nestsDeeperThan({}, 1), false);
    assert.equal(nestsDeeperThan({}, 0), true);
    assert.equal(nestsDeeperThan({ a: [1, { b: 2 }] }, 3), false);
    assert.equal(nestsDeeperThan({ a: [1, { b: 2 }] }, 2), true);
    assert.equal(nestsDeeperThan({ flat: 1, deep: [[[]]] }, 3), true, 'the deepest branch counts');
  });

  it('walks documents far deeper than the call stack allows', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    assert.equal(nestsDeeperThan(deep, 64), true);
    assert.equal(nestsDeeperThan(deep, 100_000), false);
  });
});

describe('formatEventTimestamp', () => {
  it('prints ISO-8601 UTC to the second without milliseconds', () => {
    assert.equal(formatEventTimestamp(JAN_15), '2025-01-15T10:30:00Z');
    assert.equal(formatEventTimestamp(JAN_15 + 999), '2025-01-15T10:30:00Z');
    assert.equal(formatEventTimestamp(JAN_15 + 61_000), '2025-01-15T10:31:01Z');
    assert.equal(formatEventTimestamp(0), '1970-01-01T00:00:00Z');
  });
});

describe('buildEvent', () => {
  it('floors the timestamp to the second and fixes the bytes', () => {
    const data = { jobId: 'job_xyz', rows: 1200, nested: { ok: true, list: [1, 2, 3] } };
    const event = buildEvent({
      id: 'evt_01',
      tenantId: 'tenant_abc123',
      event: 'ingestion.completed',
      data,
      now: JAN_15 + 987,
    });
    assert.equal(event.id, 'evt_01');
    assert.equal(event.tenantId, 'tenant_abc123');
    assert.equal(event.event, 'ingestion.completed');
    assert.equal(event.timestamp, JAN_15);
    assert.deepEqual(JSON.parse(event.payload.toString('utf8')), {
      event: 'ingestion.completed',
      timestamp: '2025-01-15T10:30:00Z',
      tenantId: 'tenant_abc123',
      data,
    });
    assert.deepEqual(
      event.payload,
      serializePayload('ingestion.completed', JAN_15, 'tenant_abc123', data),
      'the bytes are exactly what serializePayload writes for the floored time',
    );
  });

  it('keeps a timestamp already on the second', () => {
    const event = buildEvent({ id: 'evt_02', tenantId: 't', event: 'kpi.alert', data: {}, now: JAN_15 });
    assert.equal(event.timestamp, JAN_15);
    const next = buildEvent({
      id: 'evt_03',
      tenantId: 't',
      event: 'kpi.alert',
      data: {},
      now: JAN_15 + 1_000,
    });
    assert.equal(next.timestamp, JAN_15 + 1_000);
  });

  it('is not affected by later changes to the input data', () => {
    const data = { value: 1 };
    const event = buildEvent({ id: 'evt_04', tenantId: 't', event: 'kpi.computed', data, now: JAN_15 });
    data.value = 2;
    assert.equal(JSON.parse(event.payload.toString('utf8')).data.value, 1);
  });
});

describe('newId', () => {
  it('is the prefix, an underscore and 26 Crockford base32 characters in lower case', () => {
    for (let i = 0; i < 50; i++) assert.match(newId('evt'), ID_SHAPE);
    assert.match(newId('dlv', JAN_15), /^dlv_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('encodes the time in its first characters', () => {
    const a = newId('evt', JAN_15);
    const b = newId('evt', JAN_15);
    assert.notEqual(a, b, 'random bits differ');
    assert.equal(a.slice(0, 4 + 9), b.slice(0, 4 + 9), 'the first 45 bits are the same millisecond');
  });

  it('sorts by time across milliseconds', () => {
    const times = [0, 1, 2, 999, 1_000, JAN_15 - 1, JAN_15, JAN_15 + 1, JAN_15 + 1_000, JAN_15 + 86_400_000];
    for (let round = 0; round < 20; round++) {
      const ids = times.map((time) => newId('evt', time));
      const sorted = [...ids].sort();
      assert.deepEqual(sorted, ids);
    }
  });

  it('sorts adjacent milliseconds correctly near a large timestamp', () => {
    // 2^40 ms and its neighbours flip many bits at once.
    const base = 2 ** 40;
    for (const time of [base - 1, base, base + 1]) {
      const earlier = newId('evt', time - 1);
      const later = newId('evt', time);
      assert.ok(earlier < later, `${earlier} < ${later}`);
    }
  });
});

describe('newSecretToken', () => {
  it('is prefixed, url-safe and unique', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const token = newSecretToken('hk_');
      assert.match(token, /^hk_[A-Za-z0-9_-]{32}$/);
      tokens.add(token);
    }
    assert.equal(tokens.size, 200);
  });

  it('has as many random bytes as asked for', () => {
    assert.match(newSecretToken('whsec_', 32), /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(newSecretToken('x', 16).slice(1), 'base64url').length, 16);
  });
});
