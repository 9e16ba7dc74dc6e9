import { useState } from 'react';
import { api } from '../api';
import type { Delivery } from '../api-types';
import { DetailField, DetailStates } from '../components/details';
import { Dialog } from '../components/dialogs';
import { Spinner } from '../components/feedback';
import { formatDuration, formatTime, prettyJson } from '../format';
import { useDetail } from '../hooks';
import { Link, paths } from '../router';
import { StatusBadge, StatusCode, TRIGGER_LABEL, WaitingItsTurn } from './DeliveryStatus';

/** One attempt in full: its request as sent and the response excerpt, with Resend once it is settled. */
export function DeliveryDetailDialog({
  tenantId,
  deliveryId,
  onClose,
  onResend,
}: {
  tenantId: string;
  deliveryId: string | null;
  onClose: () => void;
  onResend: (delivery: Delivery) => Promise<void>;
}) {
  const { detail, error } = useDetail(deliveryId, (id) => api.getDelivery(tenantId, id), [tenantId]);
  const [busy, setBusy] = useState(false);

  return (
    <Dialog
      open={deliveryId !== null}
      title="Delivery details"
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
          {detail && detail.status !== 'pending' && (
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await onResend(detail);
                } finally {
                  setBusy(false);
                }
              }}
            >
              {busy && <Spinner small />}
              Resend
            </button>
          )}
        </>
      }
    >
      <DetailStates detail={detail} error={error}>
        {(detail) => (
          <>
            <dl className="detail-grid">
              <DetailField label="Status">
                <StatusBadge status={detail.status} />
              </DetailField>
              <DetailField label="Status code">
                <StatusCode delivery={{ ...detail, error: null }} />
              </DetailField>
              <DetailField label="Response time">{formatDuration(detail.responseTimeMs)}</DetailField>
              <DetailField label="Timestamp">{formatTime(detail.timestamp)}</DetailField>
              <DetailField label="Event" className="mono">
                {detail.event}
              </DetailField>
              <DetailField label="Attempt">
                #{detail.attempt}
                {detail.trigger !== 'event' ? ` · ${TRIGGER_LABEL[detail.trigger]}` : ''}
              </DetailField>
              <DetailField label="Event ID" className="mono break">
                <Link to={paths.event(detail.eventId)} title="This event's attempts to every webhook">
                  {detail.eventId}
                </Link>
              </DetailField>
              <DetailField label="Delivery ID" className="mono break">
                {detail.id}
              </DetailField>
              {(detail.nextAttemptAt || detail.status === 'pending') && (
                <DetailField label="Next attempt">
                  {detail.nextAttemptAt ? formatTime(detail.nextAttemptAt) : <WaitingItsTurn />}
                </DetailField>
              )}
            </dl>

            {detail.error && (
              <section className="detail-section">
                <h3>Error</h3>
                <div className="notice notice-error">{detail.error}</div>
              </section>
            )}

            <section className="detail-section">
              <h3>Request</h3>
              <p className="mono break detail-url">
                <span className="method">POST</span> {detail.request.url}
              </p>
              <h4>Headers</h4>
              <table className="kv-table">
                <tbody>
                  {Object.entries(detail.request.headers).map(([name, value]) => (
                    <tr key={name}>
                      <th scope="row" className="mono">
                        {name}
                      </th>
                      <td className="mono break">{value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h4>Body</h4>
              <pre className="code-block">{prettyJson(detail.request.body)}</pre>
            </section>

            <section className="detail-section">
              <h3>Response body</h3>
              {detail.responseBody ? (
                <pre className="code-block">{prettyJson(detail.responseBody)}</pre>
              ) : (
                <p className="muted">
                  {detail.statusCode === null ? 'No response was received.' : 'The response had no body.'}
                </p>
              )}
            </section>
          </>
        )}
      </DetailStates>
    </Dialog>
  );
}
