import { useEffect, useState } from 'react';
import { ApiError, api, countDeadLetters } from '../api';
import type { DeadLetter, Webhook } from '../api-types';
import { CopyButton } from '../components/CopyButton';
import { DetailField, DetailStates } from '../components/details';
import { ConfirmDialog, Dialog } from '../components/dialogs';
import { EmptyState, Spinner } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { DataTable, ListStates, LoadMoreFooter, RowActions } from '../components/tables';
import { formatRelative, formatTime, prettyJson } from '../format';
import { useDetail, useLivePagedList } from '../hooks';
import { useToast } from '../toasts';

const PAGE_SIZE = 50;
const POLL_MS = 3000;

export function DeadLetterQueuePage({ tenantId }: { tenantId: string }) {
  const toast = useToast();
  const [webhooks, setWebhooks] = useState<Webhook[]>([]);
  const [webhookId, setWebhookId] = useState('');
  const [replaying, setReplaying] = useState<Record<string, boolean>>({});
  const [viewId, setViewId] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ count: number } | null>(null);
  const [counting, setCounting] = useState(false);
  const [replayAllBusy, setReplayAllBusy] = useState(false);
  const [replayAllError, setReplayAllError] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState<DeadLetter | null>(null);
  const [discardBusy, setDiscardBusy] = useState(false);
  const [discardError, setDiscardError] = useState<string | null>(null);

  useEffect(() => {
    api
      .listWebhooks(tenantId)
      .then((page) => setWebhooks(page.data))
      .catch(() => setWebhooks([]));
  }, [tenantId]);

  const queue = useLivePagedList(
    (cursor) => api.listDeadLetters(tenantId, webhookId || undefined, cursor, PAGE_SIZE),
    [tenantId, webhookId],
    // Replayed entries leave the queue, from the first page as from the older ones.
    { pollMs: POLL_MS, rowsLeave: { pageSize: PAGE_SIZE } },
  );
  const { items, setItems, nextCursor, reload } = queue;

  async function replay(entry: DeadLetter) {
    setReplaying((all) => ({ ...all, [entry.id]: true }));
    try {
      await api.replayDeadLetter(tenantId, entry.id);
      setItems((list) => list?.filter((d) => d.id !== entry.id) ?? null);
      toast(`Replaying ${entry.event}. It will be retried on the full schedule.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setItems((list) => list?.filter((d) => d.id !== entry.id) ?? null);
      } else {
        toast(err instanceof Error ? err.message : String(err), 'error');
      }
    } finally {
      setReplaying((all) => ({ ...all, [entry.id]: false }));
    }
  }

  function askDiscard(entry: DeadLetter) {
    setDiscardError(null);
    setDiscarding(entry);
  }

  async function discard(entry: DeadLetter) {
    setDiscardBusy(true);
    setDiscardError(null);
    try {
      await api.discardDeadLetter(tenantId, entry.id);
      toast(`Discarded ${entry.event}. It will not be delivered.`);
    } catch (err) {
      // Gone already (replayed or discarded elsewhere): it leaves the list all the same.
      if (!(err instanceof ApiError && err.status === 404)) {
        setDiscardError(err instanceof Error ? err.message : String(err));
        return;
      }
    } finally {
      setDiscardBusy(false);
    }
    setItems((list) => list?.filter((d) => d.id !== entry.id) ?? null);
    setDiscarding(null);
  }

  async function askReplayAll() {
    setReplayAllError(null);
    setCounting(true);
    try {
      const count = nextCursor
        ? await countDeadLetters(tenantId, webhookId || undefined)
        : (items?.length ?? 0);
      setConfirm({ count });
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setCounting(false);
    }
  }

  async function replayAll() {
    setReplayAllBusy(true);
    setReplayAllError(null);
    try {
      const result = await api.replayAll(tenantId, webhookId || undefined);
      setConfirm(null);
      toast(
        result.replayed === 1
          ? 'Replaying 1 failed event.'
          : `Replaying ${result.replayed} failed events. They will be retried on the full schedule.`,
      );
      await reload();
    } catch (err) {
      setReplayAllError(err instanceof Error ? err.message : String(err));
    } finally {
      setReplayAllBusy(false);
    }
  }

  const selectedWebhook = webhooks.find((w) => w.id === webhookId);
  const count = confirm?.count ?? 0;

  return (
    <>
      <PageHeader
        title="Dead Letter Queue"
        description="Deliveries that still failed after every retry. Fix the endpoint, then replay them."
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => void askReplayAll()}
            disabled={!items || items.length === 0 || counting}
          >
            {counting && <Spinner small />}
            Replay All
          </button>
        }
      />

      <div className="toolbar">
        <div className="inline-field">
          <label htmlFor="dlq-webhook">Webhook</label>
          <select id="dlq-webhook" value={webhookId} onChange={(e) => setWebhookId(e.target.value)}>
            <option value="">All webhooks</option>
            {webhooks.map((w) => (
              <option key={w.id} value={w.id}>
                {w.url}
              </option>
            ))}
          </select>
        </div>
        <span className="live" title="New failures appear automatically">
          <span className="live-dot" aria-hidden="true" />
          Live
        </span>
      </div>

      <ListStates
        items={items}
        error={queue.error}
        errorTitle="The dead letter queue could not be loaded."
        onRetry={() => void reload()}
        loadingLabel="Loading failed events…"
        empty={
          <EmptyState title="No failed events" icon="✓">
            Every delivery either succeeded or is still being retried. Events that fail every retry land here,
            with their error, so you can replay them once the endpoint is fixed.
          </EmptyState>
        }
      >
        {(items) => (
          <DataTable
            label="Failed events"
            columns={['Event', 'Webhook URL', 'Error message', 'Attempts', 'Failed']}
            actions
            footer={<LoadMoreFooter list={queue} />}
          >
            {items.map((entry) => (
              <tr key={entry.id}>
                <td data-label="Event">
                  <span className="mono">{entry.event}</span>
                </td>
                <td data-label="Webhook URL" className="url-cell url-cell-narrow">
                  <span className="mono url-text" title={entry.url}>
                    {entry.url}
                  </span>
                </td>
                <td data-label="Error message" className="error-cell">
                  <span className="text-danger">{entry.error}</span>
                </td>
                <td data-label="Attempts" className="num">
                  {entry.attempts}
                </td>
                <td data-label="Failed" className="nowrap">
                  <time dateTime={entry.failedAt} title={entry.failedAt}>
                    {formatTime(entry.failedAt)}
                  </time>
                  <span className="cell-sub">{formatRelative(entry.failedAt)}</span>
                </td>
                <RowActions>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => void replay(entry)}
                    disabled={replaying[entry.id]}
                  >
                    {replaying[entry.id] && <Spinner small />}
                    Replay
                  </button>
                  <button
                    type="button"
                    className="button button-small button-ghost"
                    title="View the payload that was sent"
                    onClick={() => setViewId(entry.id)}
                  >
                    Payload
                  </button>
                  <button
                    type="button"
                    className="button button-small button-danger-ghost"
                    title="Remove it from the queue without delivering it"
                    onClick={() => askDiscard(entry)}
                  >
                    Discard
                  </button>
                </RowActions>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>

      <ConfirmDialog
        open={confirm !== null}
        title={`Replay all ${count} failed ${count === 1 ? 'event' : 'events'}?`}
        message={
          <>
            Herald will deliver {count === 1 ? 'it' : `all ${count}`} again
            {selectedWebhook ? (
              <>
                {' '}
                to <span className="mono break">{selectedWebhook.url}</span>
              </>
            ) : (
              ' to their webhooks'
            )}
            , with the full retry schedule. Make sure the {selectedWebhook ? 'endpoint is' : 'endpoints are'}{' '}
            healthy first.
          </>
        }
        confirmLabel={`Replay ${count === 1 ? '1 event' : `${count} events`}`}
        busy={replayAllBusy}
        error={replayAllError}
        onConfirm={() => void replayAll()}
        onCancel={() => setConfirm(null)}
      />

      <ConfirmDialog
        open={discarding !== null}
        title="Discard this failed event?"
        message={
          <>
            <span className="mono">{discarding?.event}</span> will not be delivered to{' '}
            <span className="mono break">{discarding?.url}</span>. Its failed attempts stay in the delivery
            history until they age out.
          </>
        }
        confirmLabel="Discard"
        danger
        busy={discardBusy}
        error={discardError}
        onConfirm={() => discarding && void discard(discarding)}
        onCancel={() => setDiscarding(null)}
      />

      <PayloadDialog tenantId={tenantId} deadLetterId={viewId} onClose={() => setViewId(null)} />
    </>
  );
}

function PayloadDialog({
  tenantId,
  deadLetterId,
  onClose,
}: {
  tenantId: string;
  deadLetterId: string | null;
  onClose: () => void;
}) {
  const { detail, error } = useDetail(deadLetterId, (id) => api.getDeadLetter(tenantId, id), [tenantId]);
  const payload = detail?.payload ?? '';
  return (
    <Dialog
      open={deadLetterId !== null}
      title="Failed event payload"
      onClose={onClose}
      wide
      footer={
        <>
          {detail && <CopyButton text={payload} label="Copy payload" />}
          <button type="button" className="button button-primary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      <DetailStates detail={detail} error={error}>
        {(detail) => (
          <>
            <dl className="detail-grid">
              <DetailField label="Event" className="mono">
                {detail.event}
              </DetailField>
              <DetailField label="Attempts">{detail.attempts}</DetailField>
              <DetailField label="Failed">{formatTime(detail.failedAt)}</DetailField>
              <DetailField label="Event ID" className="mono break">
                {detail.eventId}
              </DetailField>
            </dl>
            <section className="detail-section">
              <h3>Error message</h3>
              <div className="notice notice-error">{detail.error}</div>
            </section>
            <section className="detail-section">
              <h3>Payload</h3>
              <pre className="code-block">{prettyJson(payload)}</pre>
            </section>
          </>
        )}
      </DetailStates>
    </Dialog>
  );
}
