import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_EVENT_TYPES, DemoEvents } from '../../src/cli/demo-events.js';

describe('the demo stream', () => {
  it('visits every documented event type in each run of six, with the fields its type needs', () => {
    const events = new DemoEvents(() => 0.5);
    const six = Array.from({ length: 6 }, () => events.next());
    assert.deepEqual(six.map((event) => event.event).sort(), [...DEMO_EVENT_TYPES].sort());
    const fields = Object.fromEntries(six.map((event) => [event.event, Object.keys(event.data).sort()]));
    assert.deepEqual(fields['ingestion.completed'], ['duration', 'jobId', 'rowsIngested', 'table']);
    assert.ok(fields['ingestion.failed']?.includes('error'));
    assert.ok(fields['kpi.alert']?.includes('expected'));
    assert.equal(events.next().event, six[0]?.event, 'then it starts again');
  });
});
