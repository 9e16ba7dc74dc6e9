import { useEffect, useState } from 'react';
import { api, type Delivery, type DeliveryStatus, type Webhook } from '../api';
import {
  Badge,
  DataTable,
  DetailField,
  Dialog,
  EmptyState,
  ErrorNotice,
  ListStates,
  Loading,
  LoadMoreFooter,
  PageHeader,
  RowActions,
  Spinner,
  type Tone,
  useToast,
} from '../components/ui';
import { formatDuration, formatRelative, formatTime, isSuccessCode, prettyJson } from '../format';
import { useDetail, useLivePagedList } from '../hooks';
import { Link, navigate, paths } from '../router';

const PAGE_SIZE = 25;
const POLL_MS = 2500;

type Filter = '' | DeliveryStatus;
const FILTERS: { value: Filter; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
];

const STATUS_TONE: Record<DeliveryStatus, Tone> = {
  succeeded: 'success',
  failed: 'danger',
  pending: 'warning',
};
const STATUS_LABEL: Record<DeliveryStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  pending: 'Pending',
};
const TRIGGER_LABEL: Record<string, string> = {
  event: 'Event',
  test: 'Test',
  resend: 'Resend',
  replay: 'Replay',
};

export function DeliveryHistoryPage({ tenantId, webhookId }: { tenantId: string; webhookId: string }) {
  const toast = useToast();
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [webhookError, setWebhookError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>('');
  const [resending, setResending] = useState<Record<string, boolean>>({});
  const [openId, setOpenId] = useState<string | null>(null);
  const [freshIds, setFreshIds] = useState<Set<string>>(new Set());

  useEffect(() => {
    api
      .getWebhook(tenantId, webhookId)
      .then(setWebhook)
      .catch((err) => setWebhookError(err instanceof Error ? err.message : String(err)));
  }, [tenantId, webhookId]);

  // Rows change status in place, so a refresh merges the newest page into what is shown.
  const deliveries = useLivePagedList(
    (cursor) => api.listDeliveries(tenantId, webhookId, filter || undefined, cursor, PAGE_SIZE),
    [tenantId, webhookId, filter],
    { pollMs: POLL_MS, onNewIds: (ids) => setFreshIds(new Set(ids)) },
  );
  const { refresh, reload } = deliveries;

  async function resend(delivery: Delivery) {
    setResending((all) => ({ ...all, [delivery.id]: true }));
    try {
      await api.resendDelivery(tenantId, delivery.id);
      toast(`Resent ${delivery.event}. A new delivery is on its way.`);
      await refresh();
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setResending((all) => ({ ...all, [delivery.id]: false }));
    }
  }

  const back = (
    <Link to={paths.webhooks} className="back-link" aria-label="Back to webhooks">
      <span aria-hidden="true">←</span> Webhooks
    </Link>
  );

  return (
    <>
      <PageHeader
        title="Delivery History"
        back={back}
        description={
          webhookError ? (
            <span className="text-danger">{webhookError}</span>
          ) : webhook ? (
            <>
              Every attempt to deliver to <span className="mono break">{webhook.url}</span>, newest first.
            </>
          ) : (
            'Every delivery attempt, newest first.'
          )
        }
        actions={
          webhook && (
            <button type="button" className="button" onClick={() => navigate(paths.dlq)}>
              Open Dead Letter Queue
            </button>
          )
        }
      />

      <div className="toolbar">
        <div className="segmented" role="radiogroup" aria-label="Filter by status">
          {FILTERS.map((option) => (
            <label
              key={option.value || 'all'}
              className={`segment${filter === option.value ? ' checked' : ''}`}
            >
              <input
                type="radio"
                name="delivery-status"
                value={option.value}
                checked={filter === option.value}
                onChange={() => setFilter(option.value)}
              />
              {option.label}
            </label>
          ))}
        </div>
        <span className="live" title="New deliveries appear automatically">
          <span className="live-dot" aria-hidden="true" />
          Live
        </span>
      </div>

      <ListStates
        items={deliveries.items}
        error={deliveries.error}
        errorTitle="Deliveries could not be loaded."
        onRetry={() => void reload()}
        loadingLabel="Loading deliveries…"
        empty={
          <EmptyState
            title={filter ? `No ${STATUS_LABEL[filter].toLowerCase()} deliveries` : 'No deliveries yet'}
            icon="↗"
          >
            {filter
              ? 'Try another filter, or wait: new deliveries appear here as they happen.'
              : 'Deliveries appear here as events are sent. Use Test on the webhooks page to send one now.'}
          </EmptyState>
        }
      >
        {(items) => (
          <DataTable
            label="Deliveries"
            columns={['Status code', 'Timestamp', 'Response time', 'Event', 'Attempt', 'Status']}
            actions
            clickable
            footer={<LoadMoreFooter list={deliveries} />}
          >
            {items.map((delivery) => (
              <tr
                key={delivery.id}
                className={freshIds.has(delivery.id) ? 'row-fresh' : undefined}
                onClick={(event) => {
                  if ((event.target as HTMLElement).closest('button, a')) return;
                  setOpenId(delivery.id);
                }}
              >
                <td data-label="Status code">
                  <StatusCode delivery={delivery} />
                </td>
                <td data-label="Timestamp" className="nowrap">
                  <time dateTime={delivery.timestamp} title={delivery.timestamp}>
                    {formatTime(delivery.timestamp)}
                  </time>
                  <span className="cell-sub">{formatRelative(delivery.timestamp)}</span>
                </td>
                <td data-label="Response time" className="num">
                  {formatDuration(delivery.responseTimeMs)}
                </td>
                <td data-label="Event">
                  <span className="mono">{delivery.event}</span>
                  {delivery.trigger && delivery.trigger !== 'event' && (
                    <span className="cell-sub">{TRIGGER_LABEL[delivery.trigger] ?? delivery.trigger}</span>
                  )}
                </td>
                <td data-label="Attempt" className="num">
                  #{delivery.attempt}
                </td>
                <td data-label="Status">
                  <Badge tone={STATUS_TONE[delivery.status]}>{STATUS_LABEL[delivery.status]}</Badge>
                  {delivery.status === 'pending' && delivery.nextAttemptAt && (
                    <span className="cell-sub">due {formatRelative(delivery.nextAttemptAt)}</span>
                  )}
                </td>
                <RowActions>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => void resend(delivery)}
                    disabled={resending[delivery.id] || delivery.status === 'pending'}
                  >
                    {resending[delivery.id] && <Spinner small />}
                    Resend
                  </button>
                  <button
                    type="button"
                    className="button button-small button-ghost"
                    onClick={() => setOpenId(delivery.id)}
                    aria-label={`Details of attempt ${delivery.attempt}, ${delivery.event}, ${formatTime(delivery.timestamp)}`}
                  >
                    Details
                  </button>
                </RowActions>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>

      <DeliveryDetailDialog
        tenantId={tenantId}
        deliveryId={openId}
        onClose={() => setOpenId(null)}
        onResend={async (delivery) => {
          await resend(delivery);
          setOpenId(null);
        }}
      />
    </>
  );
}

function StatusCode({ delivery }: { delivery: Delivery }) {
  if (delivery.statusCode === null) {
    return (
      <span className="code-cell">
        <span className="code code-none" aria-hidden="true">
          —
        </span>
        <span className="visually-hidden">No status code</span>
        {delivery.error && <span className="cell-sub text-danger">{delivery.error}</span>}
        {!delivery.error && delivery.status === 'pending' && <span className="cell-sub">Not sent yet</span>}
      </span>
    );
  }
  const ok = isSuccessCode(delivery.statusCode);
  return (
    <span className="code-cell">
      <span className={`code ${ok ? 'code-ok' : 'code-fail'}`} title={ok ? 'Success' : 'Failure'}>
        {delivery.statusCode}
      </span>
      <span className="visually-hidden">{ok ? ' success' : ' failure'}</span>
    </span>
  );
}

function DeliveryDetailDialog({
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

  const headers = detail?.request?.headers ? Object.entries(detail.request.headers) : [];

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
      {error && <ErrorNotice message={error} />}
      {!error && !detail && <Loading />}
      {detail && (
        <div className="detail">
          <dl className="detail-grid">
            <DetailField label="Status">
              <Badge tone={STATUS_TONE[detail.status]}>{STATUS_LABEL[detail.status]}</Badge>
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
              {detail.trigger && detail.trigger !== 'event'
                ? ` · ${TRIGGER_LABEL[detail.trigger] ?? detail.trigger}`
                : ''}
            </DetailField>
            <DetailField label="Event ID" className="mono break">
              {detail.eventId}
            </DetailField>
            <DetailField label="Delivery ID" className="mono break">
              {detail.id}
            </DetailField>
            {detail.nextAttemptAt && (
              <DetailField label="Next attempt">{formatTime(detail.nextAttemptAt)}</DetailField>
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
            {detail.request ? (
              <>
                <p className="mono break detail-url">
                  <span className="method">POST</span> {detail.request.url}
                </p>
                <h4>Headers</h4>
                <table className="kv-table">
                  <tbody>
                    {headers.map(([name, value]) => (
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
              </>
            ) : (
              <p className="muted">The request has not been sent yet.</p>
            )}
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
        </div>
      )}
    </Dialog>
  );
}
