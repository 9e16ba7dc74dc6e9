import { EmptyState } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { DataTable, ListStates } from '../components/tables';
import type { EventTypesState } from '../event-types';

export function EventTypesPage({ eventTypes }: { eventTypes: EventTypesState }) {
  const { data, error, reload } = eventTypes;
  return (
    <>
      <PageHeader
        title="Event Types"
        description="The events a webhook can subscribe to. A webhook with no selection receives all of them."
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
          <DataTable label="Event types" columns={['Event', 'When it fires']}>
            {data.map((type) => (
              <tr key={type.name}>
                <td data-label="Event">
                  <code className="chip mono">{type.name}</code>
                </td>
                <td data-label="When it fires">{type.description}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>
      {data && data.length > 0 && (
        <section className="card help-card" aria-labelledby="payload-format">
          <h2 id="payload-format">Payload format</h2>
          <p className="muted">
            Each delivery is a <span className="mono">POST</span> with a JSON body. If the webhook has a
            secret, the <span className="mono">X-Webhook-Signature</span> header carries{' '}
            <span className="mono">sha256=</span> and the hex HMAC-SHA256 of the raw body.
          </p>
          <pre className="code-block">
            {JSON.stringify(
              {
                event: 'ingestion.completed',
                timestamp: '2025-01-15T10:30:00Z',
                tenantId: 'tenant_abc123',
                data: { jobId: 'job_xyz', table: 'sales_data', rowsIngested: 15234, duration: 3200 },
              },
              null,
              2,
            )}
          </pre>
        </section>
      )}
    </>
  );
}
