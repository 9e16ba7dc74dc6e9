import { useId, useState } from 'react';
import { api } from '../api';
import type { Delivery, EventType, Webhook } from '../api-types';
import { CodeBlock } from '../components/CodeBlock';
import { Dialog } from '../components/dialogs';
import { ErrorNotice, Loading, Spinner } from '../components/feedback';
import type { EventTypesState } from '../event-types';
import { TestResult } from './TestResult';

/** The type a Test sends when none is picked: Herald's own short message. */
const TEST_EVENT_TYPE = 'webhook.test';

type Sending =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'done'; delivery: Delivery }
  | { state: 'error'; message: string };

/**
 * Mounted with the webhook's id as its key, so each webhook starts from webhook.test and no result.
 * Test with a type picked from the catalogue: Herald sends that type's example to this one webhook,
 * whatever it subscribes to, and the dialog reports the attempt as Herald recorded it.
 */
export function TestEventDialog({
  tenantId,
  webhook,
  eventTypes,
  onClose,
  onSent,
}: {
  tenantId: string;
  webhook: Webhook | null;
  eventTypes: EventTypesState;
  onClose: () => void;
  onSent: () => void;
}) {
  const [picked, setPicked] = useState(TEST_EVENT_TYPE);
  const [sending, setSending] = useState<Sending>({ state: 'idle' });
  const selectId = useId();
  const type = eventTypes.data?.find((candidate) => candidate.name === picked);

  async function send() {
    if (!webhook) return;
    setSending({ state: 'sending' });
    try {
      const delivery = await api.testWebhook(tenantId, webhook.id, picked);
      setSending({ state: 'done', delivery });
    } catch (err) {
      setSending({ state: 'error', message: err instanceof Error ? err.message : String(err) });
    }
    onSent();
  }

  return (
    <Dialog
      open={webhook !== null}
      title="Send a test event"
      onClose={onClose}
      wide
      description={
        <>
          Herald sends the event to <span className="mono break">{webhook?.url}</span> once, now, whatever
          events it subscribes to, and never retries it.
        </>
      }
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => void send()}
            disabled={sending.state === 'sending' || !type}
            data-autofocus
          >
            {sending.state === 'sending' && <Spinner small />}
            Send test event
          </button>
        </>
      }
    >
      {eventTypes.error && <ErrorNotice message={eventTypes.error} onRetry={eventTypes.reload} />}
      {!eventTypes.data && !eventTypes.error && <Loading label="Loading event types…" />}
      {eventTypes.data && (
        <>
          <div className="field">
            <label htmlFor={selectId}>Event type</label>
            <select
              id={selectId}
              value={picked}
              onChange={(event) => {
                setPicked(event.target.value);
                setSending({ state: 'idle' });
              }}
            >
              {eventTypes.data.map((candidate) => (
                <option key={candidate.name} value={candidate.name}>
                  {candidate.name}
                </option>
              ))}
            </select>
            {type && <span className="field-hint">{type.description}</span>}
          </div>
          {type && <TestData type={type} />}
        </>
      )}
      <div role="status" aria-live="polite">
        {sending.state === 'done' && (
          <p>
            <TestResult delivery={sending.delivery} />
          </p>
        )}
        {sending.state === 'error' && <ErrorNotice message={`Not sent: ${sending.message}`} />}
      </div>
    </Dialog>
  );
}

/** What the test carries as `data`: exactly what the server sends for the type. */
function TestData({ type }: { type: EventType }) {
  if (type.name === TEST_EVENT_TYPE) {
    return <p className="muted">Its data is a short message from Herald naming this webhook.</p>;
  }
  return (
    <section className="detail-section">
      <h3>
        <span className="mono">data</span> sent: the type's example
      </h3>
      <CodeBlock>{JSON.stringify(type.example ?? {}, null, 2)}</CodeBlock>
      {!type.example && (
        <p className="muted">This type has no example yet: the test sends an empty object.</p>
      )}
    </section>
  );
}
