import { memo, useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { WebhookStats } from '../api-types';
import type { Tone } from '../components/Badge';
import { formatRelative, formatTime } from '../format';
import { usePolling } from '../hooks';
import './webhook-health.css';

/*
 * A webhook's health as Herald counts it (GET …/webhook-stats): attempts over the last 24 clock
 * hours, its latest success and failure. Every figure shown is one the server answered; when a
 * refresh fails, the last answer stays with the time it was read, never passed off as current.
 */

/** "99.9%": never rounded up to 100% while one attempt failed, nor down to 0% while one succeeded. */
export function formatSuccessRate(stats: Pick<WebhookStats, 'attempts' | 'succeeded'>): string {
  if (stats.attempts === 0) return '—';
  if (stats.succeeded === stats.attempts) return '100%';
  if (stats.succeeded === 0) return '0%';
  const tenths = Math.min(999, Math.max(1, Math.floor((stats.succeeded / stats.attempts) * 1000)));
  return `${(tenths / 10).toFixed(tenths % 10 === 0 ? 0 : 1)}%`;
}

export function healthTone(stats: Pick<WebhookStats, 'successRate'>): Tone {
  const rate = stats.successRate;
  if (rate === null) return 'neutral';
  if (rate >= 0.99) return 'success';
  if (rate >= 0.9) return 'warning';
  return 'danger';
}

const count = new Intl.NumberFormat();
export const formatCount = (n: number): string => count.format(n);

/** The tenant's webhooks' stats, refreshed every `pollMs`; the time of the last answer read. */
export function useWebhookStatsList(tenantId: string, pollMs: number) {
  const [byId, setById] = useState<Map<string, WebhookStats> | null>(null);
  const [readAt, setReadAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const list = await api.listWebhookStats(tenantId);
      setById(new Map(list.data.map((stats) => [stats.webhookId, stats])));
      setReadAt(Date.now());
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [tenantId]);
  useEffect(() => {
    void load();
  }, [load]);
  usePolling(load, pollMs);
  return { byId, readAt, error };
}

/** One little bar per hour of the window, coloured by how its attempts went (grey: none). */
function HourStrip({ hours }: { hours: WebhookStats['hours'] }) {
  return (
    <span className="hour-strip" aria-hidden="true">
      {hours.map((hour) => {
        const attempts = hour.succeeded + hour.failed;
        const tone =
          attempts === 0
            ? 'none'
            : hour.failed === 0
              ? 'success'
              : hour.succeeded === 0
                ? 'danger'
                : 'warning';
        return <span key={hour.start} className={`hour-bar hour-${tone}`} />;
      })}
    </span>
  );
}

/**
 * The webhooks table's health cell: the success rate over the last 24 hours of how many attempts,
 * the hours at a glance, the latest success and failure. Re-rendered only when the figures changed, not on every poll.
 */
export const HealthSummary = memo(
  function HealthSummary({
    stats,
    staleSince,
  }: {
    stats: WebhookStats | undefined;
    staleSince: number | null;
  }) {
    if (!stats) return <span className="muted">—</span>;
    const tone = healthTone(stats);
    return (
      <div className="health-cell">
        {stats.attempts === 0 ? (
          <span className="muted nowrap">No attempts</span>
        ) : (
          <span className="nowrap">
            <strong className={tone === 'neutral' ? 'health-rate muted' : `health-rate text-${tone}`}>
              {formatSuccessRate(stats)}
            </strong>{' '}
            <span className="muted">of {formatCount(stats.attempts)}</span>
          </span>
        )}
        <HourStrip hours={stats.hours} />
        <span className="cell-sub">
          <LastOutcome label="last success" at={stats.lastSuccessAt} />
          {stats.lastFailureAt && (
            <>
              {' · '}
              <LastOutcome label="last failure" at={stats.lastFailureAt} />
            </>
          )}
        </span>
        {staleSince !== null && (
          <span className="cell-sub text-warning">
            Not updated since {formatTime(new Date(staleSince).toISOString())}
          </span>
        )}
      </div>
    );
  },
  (before, after) =>
    before.staleSince === after.staleSince && JSON.stringify(before.stats) === JSON.stringify(after.stats),
);

function LastOutcome({ label, at }: { label: string; at: string | null }) {
  if (!at) return <>no {label.replace('last ', '')} yet</>;
  return (
    <time dateTime={at} title={formatTime(at)}>
      {label} {formatRelative(at)}
    </time>
  );
}
