import { useState } from 'react';
import type { EventType } from '../api-types';
import { EmptyState } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { DataTable, ListStates, RowActions } from '../components/tables';
import type { EventTypesState } from '../event-types';
import { EventTypeDialog, SchemaBadge } from './EventTypeDialog';

export function EventTypesPage({ eventTypes }: { eventTypes: EventTypesState }) {
  const { data, error, reload } = eventTypes;
  const [shown, setShown] = useState<EventType | null>(null);
  return (
    <>
      <PageHeader
        title="Event Types"
        description="The events a webhook can subscribe to, each with an example and the schema of its data. A webhook with no selection receives all of them."
      />
      <ListStates
        items={data}
        error={error}
        errorTitle="Event types could not be loaded."
        onRetry={reload}
        loadingLabel="Loading event types…"
        empty={
          <EmptyState title="No event types" icon="≡">
            An administrator adds event types to the catalogue through the API.
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable label="Event types" columns={['Event', 'When it fires', 'Schema']} actions>
            {data.map((type) => (
              <tr key={type.name}>
                <td data-label="Event">
                  <code className="chip mono">{type.name}</code>
                  {type.sentByHerald && (
                    <span className="cell-sub">
                      {type.subscribable
                        ? 'Sent by Herald'
                        : 'Sent by Herald · only by Test, not subscribable'}
                    </span>
                  )}
                </td>
                <td data-label="When it fires">{type.description}</td>
                <td data-label="Schema">
                  <SchemaBadge type={type} />
                </td>
                <RowActions>
                  <button
                    type="button"
                    className="button button-small"
                    aria-label={`View ${type.name}`}
                    onClick={() => setShown(type)}
                  >
                    View
                  </button>
                </RowActions>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>
      {data && data.length > 0 && (
        <section className="card help-card" aria-labelledby="payload-format">
          <h2 id="payload-format">Payload format</h2>
          <p className="muted">
            Each delivery is a <span className="mono">POST</span> with a JSON body:{' '}
            <span className="mono">event</span>, <span className="mono">timestamp</span>,{' '}
            <span className="mono">tenantId</span>, and the event's <span className="mono">data</span>, which
            View shows for each type. If the webhook has a secret, the{' '}
            <span className="mono">X-Webhook-Signature</span> header carries{' '}
            <span className="mono">sha256=</span> and the hex HMAC-SHA256 of the raw body.
          </p>
        </section>
      )}
      <EventTypeDialog type={shown} onClose={() => setShown(null)} />
    </>
  );
}
