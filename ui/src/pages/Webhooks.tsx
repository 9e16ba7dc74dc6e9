import { useState } from 'react';
import { ApiError, api } from '../api';
import type { Delivery, Webhook } from '../api-types';
import { ConfirmDialog } from '../components/dialogs';
import { EmptyState, Spinner } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { DataTable, ListStates, LoadMoreFooter, RowActions } from '../components/tables';
import type { EventTypesState } from '../event-types';
import { formatRelative } from '../format';
import { useLivePagedList } from '../hooks';
import { Link, navigate, paths } from '../router';
import { useToast } from '../toasts';
import { TestEventDialog } from './TestEventDialog';
import { TestResult } from './TestResult';
import { HealthSummary, useWebhookStatsList } from './WebhookHealth';
import { WebhookStatus } from './WebhookStatus';

const POLL_MS = 5000;

type TestState =
  | { state: 'sending' }
  | { state: 'done'; delivery: Delivery }
  | { state: 'error'; message: string };

export function WebhooksPage({ tenantId, eventTypes }: { tenantId: string; eventTypes: EventTypesState }) {
  const toast = useToast();
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const [testing, setTesting] = useState<Webhook | null>(null);
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const [toDelete, setToDelete] = useState<Webhook | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  // Polled: Herald disables webhooks and marks them failing on its own, and the list must say so.
  const webhookList = useLivePagedList((cursor) => api.listWebhooks(tenantId, cursor), [tenantId], {
    pollMs: POLL_MS,
  });
  const { items: webhooks, setItems: setWebhooks, refresh } = webhookList;
  const health = useWebhookStatsList(tenantId, POLL_MS);
  const healthStaleSince = health.error ? health.readAt : null;

  async function runTest(webhook: Webhook) {
    setTests((all) => ({ ...all, [webhook.id]: { state: 'sending' } }));
    try {
      const delivery = await api.testWebhook(tenantId, webhook.id);
      setTests((all) => ({ ...all, [webhook.id]: { state: 'done', delivery } }));
    } catch (err) {
      setTests((all) => ({
        ...all,
        [webhook.id]: { state: 'error', message: err instanceof Error ? err.message : String(err) },
      }));
    }
    // A test answered 410 Gone disables the webhook: show it now. A failed read is left to the next poll.
    await refresh().catch(() => {});
  }

  async function toggleStatus(webhook: Webhook) {
    const status = webhook.status === 'active' ? 'disabled' : 'active';
    setBusy((all) => ({ ...all, [webhook.id]: true }));
    try {
      const updated = await api.updateWebhook(tenantId, webhook.id, { status });
      setWebhooks((list) => list?.map((w) => (w.id === updated.id ? updated : w)) ?? null);
      toast(
        status === 'active'
          ? 'Webhook enabled. New events will be delivered.'
          : 'Webhook disabled. No new events will be delivered to it.',
      );
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setBusy((all) => ({ ...all, [webhook.id]: false }));
    }
  }

  async function confirmDelete() {
    if (!toDelete) return;
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await api.deleteWebhook(tenantId, toDelete.id);
      setWebhooks((list) => list?.filter((w) => w.id !== toDelete.id) ?? null);
      toast('Webhook deleted.');
      setToDelete(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setWebhooks((list) => list?.filter((w) => w.id !== toDelete.id) ?? null);
        setToDelete(null);
      } else {
        setDeleteError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setDeleteBusy(false);
    }
  }

  const registerButton = (
    <button type="button" className="button button-primary" onClick={() => navigate(paths.register)}>
      <span aria-hidden="true">+</span> Register Webhook
    </button>
  );

  return (
    <>
      <PageHeader
        title="Manage Webhooks"
        description="Endpoints that receive a signed HTTP POST each time an event happens in this workspace."
        actions={webhooks && webhooks.length > 0 ? registerButton : undefined}
      />

      <ListStates
        items={webhooks}
        error={webhookList.error}
        errorTitle="Webhooks could not be loaded."
        onRetry={() => void webhookList.reload()}
        loadingLabel="Loading webhooks…"
        empty={
          <EmptyState title="No webhooks yet" icon={<WebhookIcon />} action={registerButton}>
            Register Webhook to start receiving events at your own URL: Herald sends it a signed POST each
            time one happens.
          </EmptyState>
        }
      >
        {(webhooks) => (
          <>
            {health.error && (
              <div className="notice notice-warning" role="alert">
                <p>
                  <strong>Health figures {health.byId ? 'not updated' : 'could not be loaded'}:</strong>{' '}
                  {health.error}
                </p>
              </div>
            )}
            <DataTable
              label="Webhooks"
              columns={['URL', 'Status', 'Last 24 hours', 'Events']}
              actions
              footer={<LoadMoreFooter list={webhookList} />}
            >
              {webhooks.map((webhook) => (
                <tr key={webhook.id}>
                  <td data-label="URL" className="url-cell">
                    <Link to={paths.webhook(webhook.id)} className="mono url-text" title={webhook.url}>
                      {webhook.url}
                    </Link>
                    <span className="cell-sub">{summaryOf(webhook)}</span>
                  </td>
                  <td data-label="Status">
                    <div className="status-cell">
                      <WebhookStatus webhook={webhook} />
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => void toggleStatus(webhook)}
                        disabled={busy[webhook.id]}
                      >
                        {webhook.status === 'active' ? 'Disable' : 'Enable'}
                      </button>
                    </div>
                  </td>
                  <td data-label="Last 24 hours">
                    <HealthSummary stats={health.byId?.get(webhook.id)} staleSince={healthStaleSince} />
                  </td>
                  <td data-label="Events">
                    {webhook.events.length === 0 ? (
                      <span className="muted nowrap">All events</span>
                    ) : (
                      <span className="chips">
                        {webhook.events.map((event) => (
                          <span key={event} className="chip mono">
                            {event}
                          </span>
                        ))}
                      </span>
                    )}
                  </td>
                  <RowActions after={<TestOutcome test={tests[webhook.id]} />}>
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => void runTest(webhook)}
                      disabled={tests[webhook.id]?.state === 'sending'}
                    >
                      Test
                    </button>
                    <button
                      type="button"
                      className="button button-small button-ghost"
                      aria-label={`Send example to ${webhook.url}`}
                      onClick={() => setTesting(webhook)}
                    >
                      Send example
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => navigate(paths.deliveries(webhook.id))}
                    >
                      Delivery History
                    </button>
                    <button
                      type="button"
                      className="button button-small button-ghost"
                      onClick={() => navigate(paths.edit(webhook.id))}
                    >
                      Edit
                    </button>

                    <button
                      type="button"
                      className="button button-small button-danger-ghost"
                      onClick={() => {
                        setDeleteError(null);
                        setToDelete(webhook);
                      }}
                    >
                      Delete
                    </button>
                  </RowActions>
                </tr>
              ))}
            </DataTable>
          </>
        )}
      </ListStates>

      <TestEventDialog
        key={testing?.id}
        tenantId={tenantId}
        webhook={testing}
        eventTypes={eventTypes}
        onClose={() => setTesting(null)}
        // A test answered 410 Gone disables the webhook: show it now. A failed read is left to the next poll.
        onSent={() => void refresh().catch(() => {})}
      />

      <ConfirmDialog
        open={toDelete !== null}
        title="Delete this webhook?"
        message={
          <>
            Herald will stop delivering events to <span className="mono break">{toDelete?.url}</span>. Its
            delivery history and dead letters go with it. This cannot be undone.
          </>
        }
        confirmLabel="Delete webhook"
        danger
        busy={deleteBusy}
        error={deleteError}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setToDelete(null)}
      />
    </>
  );
}

/** The line under a webhook's URL: what it is, and how Herald sends to it. */
function summaryOf(webhook: Webhook): string {
  return [
    webhook.description,
    webhook.hasSecret ? 'Signed' : 'Unsigned',
    webhook.ordering === 'fifo' ? 'In order' : '',
    webhook.rateLimit === null ? '' : `at most ${webhook.rateLimit}/s`,
    `created ${formatRelative(webhook.createdAt)}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

function TestOutcome({ test }: { test: TestState | undefined }) {
  return (
    <div className="test-outcome" role="status" aria-live="polite">
      {test?.state === 'sending' && (
        <span className="muted">
          <Spinner small /> Sending test event…
        </span>
      )}
      {test?.state === 'error' && <span className="text-danger">Test failed: {test.message}</span>}
      {test?.state === 'done' && <TestResult delivery={test.delivery} />}
    </div>
  );
}

function WebhookIcon() {
  return (
    <svg
      viewBox="0 0 24 24"
      width="28"
      height="28"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d="M18 16.98h-5.99c-1.1 0-1.95.94-2.48 1.9A4 4 0 0 1 2 17c.01-.7.2-1.4.57-2" />
      <path d="m6 17 3.13-5.78c.53-.97.1-2.18-.5-3.1a4 4 0 1 1 6.89-4.06" />
      <path d="m12 6 3.13 5.73C15.66 12.7 16.9 13 18 13a4 4 0 0 1 0 8" />
    </svg>
  );
}
