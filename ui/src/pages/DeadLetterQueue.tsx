import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api } from '../api';
import type {
  DeadLetter,
  DeadLetterFilter,
  EventType,
  ReplayAllBody,
  SkippedDeadLetters,
  Webhook,
} from '../api-types';
import { EmptyState, Spinner } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { ListStates } from '../components/tables';
import { useLivePagedList } from '../hooks';
import { useToast } from '../toasts';
import { AttemptsDialog, PayloadDialog } from './DeadLetterDialogs';
import { type DeadLetterFilterChoice, DeadLetterFilters, TIME_RANGES } from './DeadLetterFilters';
import { type DeadLetterRowActions, DeadLetterTable } from './DeadLetterTable';
import { DiscardDialog, type Discarding } from './DiscardDialog';
import { ReplayAllDialog, type ReplayAllRequest } from './ReplayAllDialog';
import { type Outcome, outcomeOf, ReplayOutcome } from './ReplayOutcome';
import { ReplaysUnderWay, useReplays } from './ReplaysUnderWay';

const PAGE_SIZE = 100;
const POLL_MS = 3000;
/** A bulk action names at most this many dead letters (the API's limit); beyond, Replay All takes filters. */
const MAX_SELECTED = 1000;

export function DeadLetterQueuePage({ tenantId }: { tenantId: string }) {
  const toast = useToast();
  const [webhooks, setWebhooks] = useState<Webhook[]>([]);
  const [eventTypes, setEventTypes] = useState<EventType[]>([]);
  const [filters, setFilters] = useState<DeadLetterFilterChoice>({ webhookId: '', event: '', range: '' });
  const { webhookId, event, range } = filters;
  const [total, setTotal] = useState<number | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [attemptsId, setAttemptsId] = useState<string | null>(null);
  const [payloadId, setPayloadId] = useState<string | null>(null);
  const [replayAll, setReplayAll] = useState<ReplayAllRequest | null>(null);
  const [counting, setCounting] = useState(false);
  const [discarding, setDiscarding] = useState<Discarding | null>(null);

  const loadWebhooks = useCallback(() => {
    api
      .listWebhooks(tenantId)
      .then((page) => setWebhooks(page.data))
      .catch(() => undefined);
  }, [tenantId]);
  useEffect(loadWebhooks, [loadWebhooks]);
  useEffect(() => {
    api
      .eventTypes()
      .then((list) => setEventTypes(list.data))
      .catch(() => undefined);
  }, []);
  const names = useMemo(() => new Map(webhooks.map((w) => [w.id, w.description])), [webhooks]);

  // The filters as the API reads them; a time range is counted back from the moment of each request.
  const filterKey = `${tenantId}|${webhookId}|${event}|${range}`;
  const currentKey = useRef(filterKey);
  currentKey.current = filterKey;
  const filterNow = useCallback((): DeadLetterFilter => {
    const { ms } = TIME_RANGES[range];
    return {
      ...(webhookId ? { webhookId } : {}),
      ...(event ? { event } : {}),
      ...(ms ? { after: new Date(Date.now() - ms).toISOString() } : {}),
    };
  }, [webhookId, event, range]);

  const queue = useLivePagedList(
    async (cursor) => {
      const key = filterKey;
      const page = await api.listDeadLetters(tenantId, filterNow(), cursor, PAGE_SIZE);
      if (cursor === null && currentKey.current === key) setTotal(page.total);
      return page;
    },
    [filterKey],
    // Replayed entries leave the queue, from the first page as from the older ones.
    { pollMs: POLL_MS, rowsLeave: { pageSize: PAGE_SIZE } },
  );
  const { items, setItems, reload } = queue;
  const { replays, refresh: refreshReplays } = useReplays(tenantId, webhookId || undefined, POLL_MS);

  // biome-ignore lint/correctness/useExhaustiveDependencies: new filters start a new selection and count
  useEffect(() => {
    setSelected(new Set());
    setTotal(null);
    void refreshReplays().catch(() => undefined);
  }, [filterKey, refreshReplays]);

  const removeRows = useCallback(
    (ids: ReadonlySet<string>) => {
      setItems((list) => list?.filter((d) => !ids.has(d.id)) ?? null);
      setSelected((all) => new Set([...all].filter((id) => !ids.has(id))));
      setTotal((count) => (count === null ? null : Math.max(0, count - ids.size)));
    },
    [setItems],
  );

  const markBusy = (ids: string[], on: boolean) =>
    setBusy((all) => {
      const next = new Set(all);
      for (const id of ids) on ? next.add(id) : next.delete(id);
      return next;
    });

  /** Replays a selection and reports what the server did with it. */
  async function replaySelection(body: ReplayAllBody, rows: DeadLetter[]): Promise<void> {
    const result = await api.replayDeadLetters(tenantId, body);
    const skippedHooks = new Set(result.skipped.map((s) => s.webhookId));
    // What the server passed over stays; the rest left the queue (replayed, or gone before).
    removeRows(new Set(rows.filter((row) => !skippedHooks.has(row.webhookId)).map((row) => row.id)));
    setOutcome(outcomeOf(result, body));
    await refreshReplays().catch(() => undefined);
  }

  const actionsRef = useRef<DeadLetterRowActions | null>(null);
  actionsRef.current = {
    toggle: (id) =>
      setSelected((all) => {
        const next = new Set(all);
        next.has(id) ? next.delete(id) : next.add(id);
        return next;
      }),
    replay: async (entry) => {
      markBusy([entry.id], true);
      try {
        await api.replayDeadLetter(tenantId, entry.id);
        removeRows(new Set([entry.id]));
        toast(`Replaying ${entry.event}. It will be retried on the full schedule.`);
        await refreshReplays().catch(() => undefined);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          removeRows(new Set([entry.id]));
          toast(`${entry.event} had already left the queue (replayed or discarded elsewhere).`, 'info');
        } else if (err instanceof ApiError && err.code === 'WEBHOOK_DISABLED') {
          const webhook = webhooks.find((w) => w.id === entry.webhookId);
          setOutcome({
            tone: 'warning',
            text: `${entry.event} was not replayed.`,
            skipped: [
              {
                webhookId: entry.webhookId,
                url: entry.url,
                description: webhook?.description ?? '',
                reason: 'webhook_disabled',
                disabledReason: webhook?.disabledReason ?? null,
                count: 1,
              },
            ],
            retry: { ids: [entry.id] },
          });
        } else {
          toast(err instanceof Error ? err.message : String(err), 'error');
        }
      } finally {
        markBusy([entry.id], false);
      }
    },
    details: (id) => setAttemptsId(id),
    payload: (id) => setPayloadId(id),
    discard: (entry) => setDiscarding({ ids: [entry.id], entry }),
  };
  // Rows get one object for their whole life, so a poll re-renders only the rows that changed.
  const rowActions = useMemo<DeadLetterRowActions>(
    () => ({
      toggle: (id) => actionsRef.current?.toggle(id),
      replay: (entry) => actionsRef.current?.replay(entry),
      details: (id) => actionsRef.current?.details(id),
      payload: (id) => actionsRef.current?.payload(id),
      discard: (entry) => actionsRef.current?.discard(entry),
    }),
    [],
  );

  async function replaySelected() {
    const ids = [...selected];
    const rows = (items ?? []).filter((row) => selected.has(row.id));
    markBusy(ids, true);
    try {
      await replaySelection({ ids }, rows);
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      markBusy(ids, false);
    }
  }

  async function askReplayAll() {
    setCounting(true);
    const body: ReplayAllBody = { ...filterNow() };
    try {
      const dry = await api.replayDeadLetters(tenantId, { ...body, dryRun: true });
      setReplayAll({ body, dry });
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setCounting(false);
    }
  }

  /** Enables a webhook a replay skipped, then replays what was skipped of it (or counts again, in the dialog). */
  async function enableAndReplay(skipped: SkippedDeadLetters, retry: ReplayAllBody, inDialog: boolean) {
    try {
      await api.updateWebhook(tenantId, skipped.webhookId, { status: 'active' });
      loadWebhooks();
      if (inDialog) {
        const dry = await api.replayDeadLetters(tenantId, { ...retry, dryRun: true });
        setReplayAll({ body: retry, dry });
        return;
      }
      const body = { ...retry, webhookId: skipped.webhookId };
      const rows = (items ?? []).filter((row) => row.webhookId === skipped.webhookId);
      await replaySelection(body, retry.ids ? rows.filter((row) => retry.ids?.includes(row.id)) : rows);
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    }
  }

  const loaded = items?.length ?? 0;
  const allSelected = loaded > 0 && (items ?? []).every((row) => selected.has(row.id));
  const toggleAll = () => setSelected(allSelected ? new Set() : new Set((items ?? []).map((row) => row.id)));
  const nearEnd = useCallback(() => {
    if (queue.nextCursor && !queue.loadingMore) void queue.loadMore();
  }, [queue]);
  const filtered = webhookId !== '' || event !== '' || range !== '';
  const replaysUnderWay = replays?.total ?? 0;

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
            disabled={!total || counting}
            title={
              filtered ? 'Replay every failed event that matches the filters' : 'Replay every failed event'
            }
          >
            {counting && <Spinner small />}
            Replay All
          </button>
        }
      />

      <DeadLetterFilters
        webhooks={webhooks}
        eventTypes={eventTypes}
        filters={filters}
        onChange={(changed) => setFilters((current) => ({ ...current, ...changed }))}
        stale={queue.stale}
      />

      {outcome && (
        <ReplayOutcome
          outcome={outcome}
          onEnable={(skipped) => void enableAndReplay(skipped, outcome.retry, false)}
          onDismiss={() => setOutcome(null)}
        />
      )}
      <ReplaysUnderWay replays={replays} names={names} />

      <div className="list-summary" aria-live="polite">
        {total !== null && (
          <span>
            {total === 1 ? '1 failed event' : `${total.toLocaleString()} failed events`}
            {filtered ? ' match these filters' : ' in the queue'}
            {loaded > 0 && loaded < total ? ` · ${loaded.toLocaleString()} loaded` : ''}
          </span>
        )}
        {selected.size > 0 && (
          <div className="selection-bar">
            <strong>{selected.size.toLocaleString()} selected</strong>
            <button
              type="button"
              className="button button-small"
              onClick={() => void replaySelected()}
              disabled={selected.size > MAX_SELECTED}
            >
              Replay selected
            </button>
            <button
              type="button"
              className="button button-small button-danger-ghost"
              onClick={() => setDiscarding({ ids: [...selected] })}
              disabled={selected.size > MAX_SELECTED}
            >
              Discard selected
            </button>
            <button
              type="button"
              className="button button-small button-ghost"
              onClick={() => setSelected(new Set())}
            >
              Clear selection
            </button>
            {selected.size > MAX_SELECTED && (
              <span className="cell-sub">
                At most {MAX_SELECTED.toLocaleString()} at once; Replay All takes the filters.
              </span>
            )}
          </div>
        )}
      </div>

      <ListStates
        items={items}
        error={queue.error}
        errorTitle="The dead letter queue could not be loaded."
        onRetry={() => void reload()}
        loadingLabel="Loading failed events…"
        empty={
          <EmptyState title="No failed events" icon={replaysUnderWay === 0 && !filtered ? '✓' : undefined}>
            {filtered
              ? 'No failed event matches these filters.'
              : replaysUnderWay > 0
                ? 'The queue is empty while the replays above are under way; an event that fails again comes back here.'
                : 'Every delivery either succeeded or is still being retried. Events that fail every retry land here, with their error, so you can replay them once the endpoint is fixed.'}
          </EmptyState>
        }
      >
        {(items) => (
          <DeadLetterTable
            items={items}
            names={names}
            selected={selected}
            busy={busy}
            actions={rowActions}
            allSelected={allSelected}
            onToggleAll={toggleAll}
            nearEnd={nearEnd}
            footer={
              queue.nextCursor && (
                <div className="table-footer">
                  <button
                    type="button"
                    className="button"
                    onClick={() => void queue.loadMore()}
                    disabled={queue.loadingMore}
                  >
                    {queue.loadingMore && <Spinner small />}
                    Load more
                  </button>
                </div>
              )
            }
          />
        )}
      </ListStates>

      <ReplayAllDialog
        tenantId={tenantId}
        request={replayAll}
        filtered={filtered}
        onReplayed={async (result, body) => {
          setReplayAll(null);
          setOutcome(outcomeOf(result, body));
          await refreshReplays().catch(() => undefined);
          await reload();
        }}
        onEnable={(skipped, body) => void enableAndReplay(skipped, body, true)}
        onCancel={() => setReplayAll(null)}
      />

      <DiscardDialog
        tenantId={tenantId}
        discarding={discarding}
        onDiscarded={(ids) => {
          removeRows(new Set(ids));
          setDiscarding(null);
        }}
        onCancel={() => setDiscarding(null)}
      />

      <AttemptsDialog tenantId={tenantId} deadLetterId={attemptsId} onClose={() => setAttemptsId(null)} />
      <PayloadDialog tenantId={tenantId} deadLetterId={payloadId} onClose={() => setPayloadId(null)} />
    </>
  );
}
