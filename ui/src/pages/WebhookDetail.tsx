import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { Webhook, WebhookStats } from '../api-types';
import { Badge } from '../components/Badge';
import { DetailField } from '../components/details';
import { ErrorNotice, Loading } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { formatDuration, formatRelative, formatTime } from '../format';
import { usePolling } from '../hooks';
import { Link, navigate, paths } from '../router';
import { useToast } from '../toasts';
import { formatCount, formatSuccessRate, healthTone } from './WebhookHealth';
import { WebhookStatusNotice } from './WebhookStatus';

const POLL_MS = 5000;

// uPlot is loaded with the first webhook page opened, not with the console.
const AttemptsChart = lazy(() => import('../components/AttemptsChart'));

interface Loaded {
  webhook: Webhook;
  stats: WebhookStats;
  readAt: number;
}

/** One webhook at a glance: its health over the last 24 hours, hour by hour, and why it is down. */
export function WebhookDetailPage({ tenantId, webhookId }: { tenantId: string; webhookId: string }) {
  const toast = useToast();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [toggling, setToggling] = useState(false);

  const load = useCallback(async () => {
    try {
      const [webhook, stats] = await Promise.all([
        api.getWebhook(tenantId, webhookId),
        api.getWebhookStats(tenantId, webhookId),
      ]);
      setLoaded({ webhook, stats, readAt: Date.now() });
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [tenantId, webhookId]);
  useEffect(() => {
    void load();
  }, [load]);
  usePolling(load, POLL_MS);

  async function toggleStatus(webhook: Webhook) {
    const status = webhook.status === 'active' ? 'disabled' : 'active';
    setToggling(true);
    try {
      const updated = await api.updateWebhook(tenantId, webhook.id, { status });
      setLoaded((current) => current && { ...current, webhook: updated });
      toast(status === 'active' ? 'Webhook enabled. New events will be delivered.' : 'Webhook disabled.');
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setToggling(false);
    }
  }

  const back = (
    <Link to={paths.webhooks} className="back-link" aria-label="Back to webhooks">
      <span aria-hidden="true">←</span> Webhooks
    </Link>
  );

  if (!loaded) {
    return (
      <>
        <PageHeader title="Webhook" back={back} />
        {error ? (
          <ErrorNotice
            title="This webhook could not be loaded."
            message={error}
            onRetry={() => void load()}
          />
        ) : (
          <Loading label="Loading webhook…" />
        )}
      </>
    );
  }

  const { webhook, stats, readAt } = loaded;
  const tone = healthTone(stats);
  return (
    <>
      <PageHeader
        title={webhook.description || 'Webhook'}
        back={back}
        description={<span className="mono break">{webhook.url}</span>}
        actions={
          <>
            <button type="button" className="button" onClick={() => navigate(paths.deliveries(webhook.id))}>
              Delivery History
            </button>
            <button type="button" className="button" onClick={() => navigate(paths.edit(webhook.id))}>
              Edit
            </button>
            <button
              type="button"
              className={webhook.status === 'active' ? 'button button-danger-ghost' : 'button button-primary'}
              onClick={() => void toggleStatus(webhook)}
              disabled={toggling}
            >
              {webhook.status === 'active' ? 'Disable' : 'Enable'}
            </button>
          </>
        }
      />

      {error && (
        <div className="notice notice-warning" role="alert">
          <p>
            <strong>Not updated since {formatTime(new Date(readAt).toISOString())}:</strong> {error} Herald is
            asked again every {POLL_MS / 1000} seconds.
          </p>
        </div>
      )}
      <WebhookStatusNotice webhook={webhook} />

      <section className="detail-section health-section" aria-labelledby="health-heading">
        <h2 id="health-heading">Health, last 24 hours</h2>
        <dl className="detail-grid">
          <DetailField label="Status">
            {webhook.status === 'active' ? (
              <Badge tone="success">Active</Badge>
            ) : (
              <Badge tone={webhook.disabledReason ? 'danger' : 'neutral'}>Disabled</Badge>
            )}
          </DetailField>
          <DetailField label="Success rate" className={tone === 'neutral' ? 'muted' : `text-${tone}`}>
            <strong className="health-figure">{formatSuccessRate(stats)}</strong>
          </DetailField>
          <DetailField label="Attempts">
            {formatCount(stats.attempts)}
            {stats.failed > 0 && <span className="muted"> ({formatCount(stats.failed)} failed)</span>}
          </DetailField>
          <DetailField label="Average response time">{formatDuration(stats.averageResponseMs)}</DetailField>
          <DetailField label="Last success">
            <Moment at={stats.lastSuccessAt} none="None yet" />
          </DetailField>
          <DetailField label="Last failure">
            <Moment at={stats.lastFailureAt} none="None" />
          </DetailField>
          <DetailField label="Failing since">
            <Moment at={webhook.failingSince} none="Not failing" />
          </DetailField>
          {webhook.status === 'disabled' && (
            <DetailField label="Disabled reason">
              {webhook.disabledReason ?? 'Disabled by a person, not by Herald.'}
            </DetailField>
          )}
        </dl>
      </section>

      <section className="detail-section health-section" aria-labelledby="chart-heading">
        <div className="chart-heading">
          <h2 id="chart-heading">Attempts per hour</h2>
          <span className="chart-legend">
            <span className="legend-swatch legend-success" aria-hidden="true" /> Succeeded{' '}
            {formatCount(stats.succeeded)}
            <span className="legend-swatch legend-danger" aria-hidden="true" /> Failed{' '}
            {formatCount(stats.failed)}
          </span>
        </div>
        <div className="card chart-card">
          <Suspense fallback={<Loading label="Loading chart…" />}>
            <AttemptsChart
              hours={stats.hours}
              label={`Attempts per hour since ${formatTime(stats.since)}: ${stats.succeeded} succeeded, ${stats.failed} failed.`}
            />
          </Suspense>
        </div>
      </section>
    </>
  );
}

function Moment({ at, none }: { at: string | null; none: string }) {
  if (!at) return <span className="muted">{none}</span>;
  return (
    <time dateTime={at} title={at}>
      {formatTime(at)} <span className="muted">({formatRelative(at)})</span>
    </time>
  );
}
