import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import type { Delivery, EventTimeline, Webhook } from '../api-types';
import { DetailField } from '../components/details';
import { ErrorNotice, Loading } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { formatDuration, formatTime, prettyJson } from '../format';
import { usePolling } from '../hooks';
import { Link, paths } from '../router';
import { useToast } from '../toasts';
import { DeliveryDetailDialog } from './DeliveryDetailDialog';
import { PendingNote, StatusBadge, StatusCode, TRIGGER_LABEL } from './DeliveryStatus';
import './history.css';

const POLL_MS = 2500;

/** One webhook's attempts at the event, in the order they were made. */
interface WebhookAttempts {
  webhookId: string;
  webhook: Webhook | undefined;
  attempts: Delivery[];
}

function byWebhook(
  deliveries: readonly Delivery[],
  webhooks: ReadonlyMap<string, Webhook>,
): WebhookAttempts[] {
  const groups = new Map<string, WebhookAttempts>();
  for (const delivery of deliveries) {
    let group = groups.get(delivery.webhookId);
    if (!group) {
      group = { webhookId: delivery.webhookId, webhook: webhooks.get(delivery.webhookId), attempts: [] };
      groups.set(delivery.webhookId, group);
    }
    group.attempts.push(delivery);
  }
  return [...groups.values()];
}

/**
 * One event: what was published, and every attempt to deliver it, grouped by webhook into a
 * timeline. It is what an operator opens with the `webhook-id` a customer quotes.
 */
export function EventPage({ tenantId, eventId }: { tenantId: string; eventId: string }) {
  const toast = useToast();
  const [timeline, setTimeline] = useState<EventTimeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [webhooks, setWebhooks] = useState<ReadonlyMap<string, Webhook>>(new Map());
  const [openId, setOpenId] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setTimeline(await api.getEventTimeline(tenantId, eventId));
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [tenantId, eventId]);

  useEffect(() => {
    void load();
    api
      .listWebhooks(tenantId)
      .then((page) => setWebhooks(new Map(page.data.map((webhook) => [webhook.id, webhook]))))
      // Without names the groups still show each webhook's id.
      .catch(() => {});
  }, [load, tenantId]);
  // Attempts still to come change the timeline; a settled one stays as it is.
  const unsettled = timeline?.deliveries.some((delivery) => delivery.status === 'pending') ?? false;
  usePolling(load, POLL_MS, unsettled);

  const groups = useMemo(
    () => (timeline ? byWebhook(timeline.deliveries, webhooks) : []),
    [timeline, webhooks],
  );

  async function resend(delivery: Delivery) {
    try {
      await api.resendDelivery(tenantId, delivery.id);
      toast(`Resent ${delivery.event}. A new delivery is on its way.`);
      await load();
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
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
        title="Event"
        back={back}
        description={
          <>
            Every attempt to deliver <span className="mono break">{eventId}</span>, to each webhook.
          </>
        }
      />
      {error && (
        <ErrorNotice title="The event could not be loaded." message={error} onRetry={() => void load()} />
      )}
      {!error && !timeline && <Loading label="Loading the event…" />}
      {timeline && (
        <>
          <section className="card event-card" aria-label="The event">
            <dl className="detail-grid">
              <DetailField label="Event ID (webhook-id)" className="mono break">
                {timeline.id}
              </DetailField>
              <DetailField label="Event" className="mono">
                {timeline.event}
              </DetailField>
              <DetailField label="Published">
                <time dateTime={timeline.timestamp}>{formatTime(timeline.timestamp)}</time>
              </DetailField>
              <DetailField label="Attempts">{timeline.totalDeliveries.toLocaleString()}</DetailField>
            </dl>
            <details className="detail-section">
              <summary>Payload</summary>
              <pre className="code-block">{prettyJson(timeline.payload)}</pre>
            </details>
          </section>

          <h2 className="event-attempts-title">Attempts</h2>
          {timeline.deliveries.length < timeline.totalDeliveries && (
            <p className="muted">
              The first {timeline.deliveries.length.toLocaleString()} of{' '}
              {timeline.totalDeliveries.toLocaleString()} attempts are shown.
            </p>
          )}
          {groups.length === 0 && (
            <p className="muted">No webhook was subscribed to this event when it was published.</p>
          )}
          {groups.map((group) => (
            <section key={group.webhookId} className="card timeline-group" aria-label={groupName(group)}>
              <h3>{groupName(group)}</h3>
              <p className="muted mono break">
                {group.webhook?.description ? group.webhook.url : group.webhookId}
                {' · '}
                <Link to={paths.deliveries(group.webhookId)}>Delivery History</Link>
              </p>
              <ol className="timeline">
                {group.attempts.map((delivery) => (
                  <li key={delivery.id} className={`timeline-item ${delivery.status}`}>
                    <time className="timeline-when" dateTime={delivery.timestamp}>
                      {formatTime(delivery.timestamp)}
                    </time>
                    <span className="timeline-attempt">
                      Attempt #{delivery.attempt}
                      {delivery.trigger !== 'event' ? ` · ${TRIGGER_LABEL[delivery.trigger]}` : ''}{' '}
                      <StatusBadge status={delivery.status} />{' '}
                      <StatusCode delivery={{ ...delivery, error: null }} />{' '}
                      {delivery.responseTimeMs !== null && (
                        <span className="muted">{formatDuration(delivery.responseTimeMs)}</span>
                      )}
                    </span>
                    <button
                      type="button"
                      className="button button-small button-ghost"
                      onClick={() => setOpenId(delivery.id)}
                      aria-label={`Details of attempt ${delivery.attempt} to ${groupName(group)}`}
                    >
                      Details
                    </button>
                    {delivery.error && <span className="cell-sub text-danger">{delivery.error}</span>}
                    {delivery.status === 'pending' && <PendingNote nextAttemptAt={delivery.nextAttemptAt} />}
                  </li>
                ))}
              </ol>
            </section>
          ))}
        </>
      )}
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

function groupName(group: WebhookAttempts): string {
  return group.webhook?.description || group.webhook?.url || group.webhookId;
}
