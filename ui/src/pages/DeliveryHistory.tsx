import { useEffect, useState } from 'react';
import { api } from '../api';
import type { Delivery, DeliveryStatus, Webhook } from '../api-types';
import { EmptyState, Spinner } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { DataTable, ListStates, LoadMoreFooter, RowActions } from '../components/tables';
import { formatDuration, formatRelative, formatTime } from '../format';
import { useLivePagedList, usePolling } from '../hooks';
import { Link, navigate, paths } from '../router';
import { useToast } from '../toasts';
import { DeliveryDetailDialog } from './DeliveryDetailDialog';
import { PendingNote, STATUS_LABEL, StatusBadge, StatusCode, TRIGGER_LABEL } from './DeliveryStatus';
import { WebhookStatusNotice } from './WebhookStatus';

const PAGE_SIZE = 25;
const POLL_MS = 2500;

type Filter = '' | DeliveryStatus;
const FILTERS: { value: Filter; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
];

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
  // Kept live like its deliveries: Herald may disable the webhook, or mark it failing, meanwhile.
  usePolling(() => api.getWebhook(tenantId, webhookId).then(setWebhook), POLL_MS, webhook !== null);

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

      {webhook && <WebhookStatusNotice webhook={webhook} />}

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
                  {delivery.trigger !== 'event' && (
                    <span className="cell-sub">{TRIGGER_LABEL[delivery.trigger]}</span>
                  )}
                </td>
                <td data-label="Attempt" className="num">
                  #{delivery.attempt}
                </td>
                <td data-label="Status">
                  <StatusBadge status={delivery.status} />
                  {delivery.status === 'pending' && <PendingNote nextAttemptAt={delivery.nextAttemptAt} />}
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
