import { type FormEvent, useState } from 'react';
import type { DeliveryFilter, DeliveryStatus } from '../api-types';

/* The filters of Delivery History: search by id, event type, status and time, as the list's query. */

export type TimeRange = '' | '1h' | '24h' | '7d' | 'custom';

export interface HistoryFilters {
  status: '' | DeliveryStatus;
  event: string;
  eventId: string;
  range: TimeRange;
  /** The custom range's ends as a `datetime-local` input holds them (the viewer's time), '' when open. */
  from: string;
  to: string;
}

export const NO_FILTERS: HistoryFilters = { status: '', event: '', eventId: '', range: '', from: '', to: '' };

const STATUSES: { value: HistoryFilters['status']; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
];

const RANGES: { value: TimeRange; label: string; ms?: number }[] = [
  { value: '', label: 'Any time' },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: 'custom', label: 'Custom range' },
];

const localToIso = (local: string): string | undefined => {
  if (!local) return undefined;
  const time = new Date(local).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
};

/** The list's query at `now`: a range like "Last hour" moves with the clock, so each fetch reckons it afresh. */
export function toDeliveryQuery(filters: HistoryFilters, now: number): DeliveryFilter {
  const query: DeliveryFilter = {};
  if (filters.status) query.status = filters.status;
  if (filters.event) query.event = filters.event;
  if (filters.eventId) query.eventId = filters.eventId;
  const preset = RANGES.find((range) => range.value === filters.range)?.ms;
  if (preset !== undefined) query.after = new Date(now - preset).toISOString();
  if (filters.range === 'custom') {
    const after = localToIso(filters.from);
    const before = localToIso(filters.to);
    if (after) query.after = after;
    if (before) query.before = before;
  }
  return query;
}

export function hasFilters(filters: HistoryFilters): boolean {
  return (Object.keys(NO_FILTERS) as (keyof HistoryFilters)[]).some(
    (key) => filters[key] !== NO_FILTERS[key],
  );
}

/**
 * The filter bar. The search box takes what an operator holds: an event id, which is the
 * `webhook-id` header a receiver logged, filters the list to that event's attempts; a delivery id
 * (`dlv_…`) opens that attempt.
 */
export function DeliveryFilterBar({
  filters,
  onChange,
  eventTypes,
  onOpenDelivery,
}: {
  filters: HistoryFilters;
  onChange: (filters: HistoryFilters) => void;
  eventTypes: readonly string[];
  onOpenDelivery: (deliveryId: string) => void;
}) {
  const [search, setSearch] = useState(filters.eventId);
  const set = (change: Partial<HistoryFilters>) => onChange({ ...filters, ...change });

  function submit(event: FormEvent) {
    event.preventDefault();
    const wanted = search.trim();
    if (wanted.startsWith('dlv_')) {
      onOpenDelivery(wanted);
      return;
    }
    set({ eventId: wanted });
  }

  return (
    <div className="history-filters">
      <form className="history-search" aria-label="Search deliveries" onSubmit={submit}>
        <label htmlFor="history-search">Search</label>
        <input
          id="history-search"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Event ID (webhook-id) or delivery ID"
          spellCheck={false}
          autoComplete="off"
        />
        <button type="submit" className="button">
          Search
        </button>
        {filters.eventId && (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => {
              setSearch('');
              set({ eventId: '' });
            }}
          >
            Clear search
          </button>
        )}
      </form>

      <div className="history-filter-row">
        <div className="segmented" role="radiogroup" aria-label="Filter by status">
          {STATUSES.map((option) => (
            <label
              key={option.value || 'all'}
              className={`segment${filters.status === option.value ? ' checked' : ''}`}
            >
              <input
                type="radio"
                name="delivery-status"
                value={option.value}
                checked={filters.status === option.value}
                onChange={() => set({ status: option.value })}
              />
              {option.label}
            </label>
          ))}
        </div>

        <div className="inline-field">
          <label htmlFor="history-event-type">Event type</label>
          <select
            id="history-event-type"
            value={filters.event}
            onChange={(event) => set({ event: event.target.value })}
          >
            <option value="">All event types</option>
            {eventTypes.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>

        <div className="inline-field">
          <label htmlFor="history-range">Time</label>
          <select
            id="history-range"
            value={filters.range}
            onChange={(event) => set({ range: event.target.value as TimeRange })}
          >
            {RANGES.map((range) => (
              <option key={range.value || 'any'} value={range.value}>
                {range.label}
              </option>
            ))}
          </select>
        </div>

        {filters.range === 'custom' && (
          <div className="history-range">
            <div className="inline-field">
              <label htmlFor="history-from">From</label>
              <input
                id="history-from"
                type="datetime-local"
                step={1}
                value={filters.from}
                max={filters.to || undefined}
                onChange={(event) => set({ from: event.target.value })}
              />
            </div>
            <div className="inline-field">
              <label htmlFor="history-to">To</label>
              <input
                id="history-to"
                type="datetime-local"
                step={1}
                value={filters.to}
                min={filters.from || undefined}
                onChange={(event) => set({ to: event.target.value })}
              />
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
