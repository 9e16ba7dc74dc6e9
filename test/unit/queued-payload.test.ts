import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { queuedPayload } from '../../src/store/postgres/notifications.js';

describe('queuedPayload', () => {
  it('names the tenants whose deliveries were queued', () => {
    assert.equal(
      queuedPayload('herald', 'api-1', 'deliveries', ['t_a', 't_b']),
      'herald api-1 deliveries t_a,t_b',
    );
  });

  it('names none when it does not know them, or they would not fit a notification', () => {
    assert.equal(queuedPayload('herald', 'api-1'), 'herald api-1 deliveries');
    assert.equal(queuedPayload('herald', 'api-1', 'deliveries', []), 'herald api-1 deliveries');
    const many = Array.from({ length: 200 }, (_, i) => `tenant_${String(i).padStart(4, '0')}`);
    assert.equal(queuedPayload('herald', 'api-1', 'deliveries', many), 'herald api-1 deliveries');
  });
});
