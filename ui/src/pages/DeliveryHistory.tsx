import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api';
import type { Delivery, Webhook } from '../api-types';
import { EmptyState, Spinner } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { DataTable, ListStates, LoadMoreFooter, RowActions } from '../components/tables';
import { type RowMeasure, WindowedRows } from '../components/WindowedRows';
import type { EventTypesState } from '../event-types';
import { formatDuration, formatRelative, formatTime } from '../format';
import { useLivePagedList, usePolling } from '../hooks';
import { Link, navigate, paths } from '../router';
import { useToast } from '../toasts';
import { DeliveryDetailDialog } from './DeliveryDetailDialog';
import {
  DeliveryFilterBar,
  type HistoryFilters,
  hasFilters,
  NO_FILTERS,
  toDeliveryQuery,
} from './DeliveryFilters';
import { PendingNote, StatusBadge, StatusCode, TRIGGER_LABEL } from './DeliveryStatus';
import './history.css';
import { WebhookStatusNotice } from './WebhookStatus';

const PAGE_SIZE = 100;
const POLL_MS = 2500;
/** A row's height at desktop width, before it is measured. */
const ROW_HEIGHT = 61;
/** The type of the events Test sends. */
const TEST_EVENT = 'webhook.test';
const COLUMNS = ['Status code', 'Timestamp', 'Response time', 'Event', 'Attempt', 'Status'];

/** What a row's buttons do; one object for the page's life, so that rows need not re-render for new closures. */
interface RowActionsOf {
  open: (delivery: Delivery) => void;
  resend: (delivery: Delivery) => void;
}

export function DeliveryHistoryPage({
  tenantId,
  webhookId,
  eventTypes,
}: {
  tenantId: string;
  webhookId: string;
  eventTypes: EventTypesState;
}) {
  const toast = useToast();
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [webhookError, setWebhookError] = useState<string | null>(null);
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  const [resending, setResending] = useState<ReadonlySet<string>>(new Set());
  const [openId, setOpenId] = useState<string | null>(null);
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(new Set());
  // The total the server counted, with the filters it counted for: an answer to older filters is not shown.
  const [counted, setCounted] = useState<{ filters: HistoryFilters; total: number } | null>(null);
  const minute = useMinute();

  useEffect(() => {
    api
      .getWebhook(tenantId, webhookId)
      .then(setWebhook)
      .catch((err) => setWebhookError(err instanceof Error ? err.message : String(err)));
  }, [tenantId, webhookId]);
  // Kept live like its deliveries: Herald may disable the webhook, or mark it failing, meanwhile.
  usePolling(() => api.getWebhook(tenantId, webhookId).then(setWebhook), POLL_MS, webhook !== null);

  // Rows change status in place, so a refresh merges the newest page into what is shown. Each
  // first page brings the total of the filters as the server counts it now.
  const deliveries = useLivePagedList(
    async (cursor) => {
      const page = await api.listDeliveries(
        tenantId,
        webhookId,
        toDeliveryQuery(filters, Date.now()),
        cursor,
        PAGE_SIZE,
      );
      if (cursor === null) setCounted({ filters, total: page.total });
      return page;
    },
    [tenantId, webhookId, filters],
    { pollMs: POLL_MS, onNewIds: (ids) => setFreshIds(new Set(ids)) },
  );
  const { refresh, reload } = deliveries;
  const total = counted?.filters === filters ? counted.total : null;

  async function resend(delivery: Delivery) {
    setResending((all) => new Set(all).add(delivery.id));
    try {
      await api.resendDelivery(tenantId, delivery.id);
      toast(`Resent ${delivery.event}. A new delivery is on its way.`);
      await refresh();
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setResending((all) => {
        const left = new Set(all);
        left.delete(delivery.id);
        return left;
      });
    }
  }
  const latestResend = useRef(resend);
  latestResend.current = resend;
  const rowActions = useMemo<RowActionsOf>(
    () => ({
      open: (delivery) => setOpenId(delivery.id),
      resend: (delivery) => void latestResend.current(delivery),
    }),
    [],
  );

  const eventTypeNames = useMemo(() => {
    const names = (eventTypes.data ?? []).map((type) => type.name);
    // Tests are in every history, whether or not the catalogue lists their type.
    return names.includes(TEST_EVENT) ? names : [...names, TEST_EVENT];
  }, [eventTypes.data]);

  const loaded = deliveries.items?.length ?? 0;
  const filtered = hasFilters(filters);

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

      <DeliveryFilterBar
        filters={filters}
        onChange={setFilters}
        eventTypes={eventTypeNames}
        onOpenDelivery={setOpenId}
      />

      <div className="toolbar">
        <p className="list-total" aria-live="polite">
          {total === null ? (
            '\u00a0'
          ) : (
            <>
              <strong>{total.toLocaleString()}</strong> {total === 1 ? 'attempt' : 'attempts'}
              {filtered ? ' match' : ''}
              {loaded > 0 && loaded < total ? ` · newest ${loaded.toLocaleString()} loaded` : ''}
            </>
          )}
        </p>
        {filters.eventId && (
          <Link to={paths.event(filters.eventId)} className="button button-small">
            View event timeline
          </Link>
        )}
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
          <EmptyState title={filtered ? 'No deliveries match these filters' : 'No deliveries yet'} icon="↗">
            {filtered
              ? 'Try other filters, or wait: new deliveries appear here as they happen.'
              : 'Deliveries appear here as events are sent. Use Test on the webhooks page to send one now.'}
          </EmptyState>
        }
      >
        {(items) => (
          <DataTable
            label="Deliveries"
            columns={COLUMNS}
            actions
            clickable
            footer={<LoadMoreFooter list={deliveries} />}
          >
            <WindowedRows
              items={items}
              rowKey={(delivery) => delivery.id}
              estimatedRowHeight={ROW_HEIGHT}
              columns={COLUMNS.length + 1}
              onNearEnd={() => {
                if (!deliveries.loadingMore) void deliveries.loadMore();
              }}
              renderRow={(delivery, measure) => (
                <DeliveryRow
                  key={delivery.id}
                  measure={measure}
                  delivery={delivery}
                  fresh={freshIds.has(delivery.id)}
                  resending={resending.has(delivery.id)}
                  minute={minute}
                  actions={rowActions}
                />
              )}
            />
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

/** The fields a row shows: a poll that brings the same values again leaves the row as it is. */
const SHOWN: readonly (keyof Delivery)[] = [
  'id',
  'status',
  'statusCode',
  'responseTimeMs',
  'timestamp',
  'event',
  'eventId',
  'trigger',
  'attempt',
  'error',
  'nextAttemptAt',
];

interface DeliveryRowProps {
  delivery: Delivery;
  measure: RowMeasure;
  fresh: boolean;
  resending: boolean;
  /** Changes once a minute, so that "3 minutes ago" stays true. */
  minute: number;
  actions: RowActionsOf;
}

const DeliveryRow = memo(
  function DeliveryRow({ delivery, measure, fresh, resending, actions }: DeliveryRowProps) {
    return (
      <tr
        ref={measure.ref}
        data-index={measure['data-index']}
        className={fresh ? 'row-fresh' : undefined}
        onClick={(event) => {
          if ((event.target as HTMLElement).closest('button, a')) return;
          actions.open(delivery);
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
          <Link
            to={paths.event(delivery.eventId)}
            className="cell-sub mono event-link"
            title="This event's attempts to every webhook"
          >
            {delivery.eventId}
          </Link>
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
            onClick={() => actions.resend(delivery)}
            disabled={resending || delivery.status === 'pending'}
          >
            {resending && <Spinner small />}
            Resend
          </button>
          <button
            type="button"
            className="button button-small button-ghost"
            onClick={() => actions.open(delivery)}
            aria-label={`Details of attempt ${delivery.attempt}, ${delivery.event}, ${formatTime(delivery.timestamp)}`}
          >
            Details
          </button>
        </RowActions>
      </tr>
    );
  },
  (before, after) =>
    before.fresh === after.fresh &&
    before.resending === after.resending &&
    before.minute === after.minute &&
    before.actions === after.actions &&
    before.measure === after.measure &&
    SHOWN.every((field) => before.delivery[field] === after.delivery[field]),
);

/** The current minute, ticking over as the clock does. */
function useMinute(): number {
  const [minute, setMinute] = useState(() => Math.floor(Date.now() / 60_000));
  useEffect(() => {
    const timer = setInterval(() => setMinute(Math.floor(Date.now() / 60_000)), 10_000);
    return () => clearInterval(timer);
  }, []);
  return minute;
}
