import type { EventType, Webhook } from '../api-types';
import { LiveIndicator } from '../components/LiveIndicator';
import { webhookLabel } from '../format';

/** How far back the queue is read, counted back from the moment of each request. */
export const TIME_RANGES = {
  '': { label: 'Any time', ms: 0 },
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
} as const;
export type TimeRange = keyof typeof TIME_RANGES;

/** The queue's filters as chosen; an empty value is "all". */
export interface DeadLetterFilterChoice {
  webhookId: string;
  event: string;
  range: TimeRange;
}

/** The filter bar of the dead letter queue: webhook, event type and when it failed, and whether the list is live. */
export function DeadLetterFilters({
  webhooks,
  eventTypes,
  filters,
  onChange,
  stale,
}: {
  webhooks: readonly Webhook[];
  eventTypes: readonly EventType[];
  filters: DeadLetterFilterChoice;
  onChange: (changed: Partial<DeadLetterFilterChoice>) => void;
  stale: boolean;
}) {
  return (
    <div className="toolbar dlq-filters">
      <div className="filter-fields">
        <div className="inline-field">
          <label htmlFor="dlq-webhook">Webhook</label>
          <select
            id="dlq-webhook"
            value={filters.webhookId}
            onChange={(e) => onChange({ webhookId: e.target.value })}
          >
            <option value="">All webhooks</option>
            {webhooks.map((w) => (
              <option key={w.id} value={w.id}>
                {webhookLabel(w)}
              </option>
            ))}
          </select>
        </div>
        <div className="inline-field">
          <label htmlFor="dlq-event">Event type</label>
          <select id="dlq-event" value={filters.event} onChange={(e) => onChange({ event: e.target.value })}>
            <option value="">All event types</option>
            {eventTypes.map((type) => (
              <option key={type.name} value={type.name}>
                {type.name}
              </option>
            ))}
          </select>
        </div>
        <div className="inline-field">
          <label htmlFor="dlq-range">Failed</label>
          <select
            id="dlq-range"
            value={filters.range}
            onChange={(e) => onChange({ range: e.target.value as TimeRange })}
          >
            {Object.entries(TIME_RANGES).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <LiveIndicator stale={stale} title="New failures appear automatically" />
    </div>
  );
}
