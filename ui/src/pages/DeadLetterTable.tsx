import { memo, type ReactNode } from 'react';
import type { DeadLetter } from '../api-types';
import { Spinner } from '../components/feedback';
import { RowActions } from '../components/tables';
import { type RowMeasure, WindowedRows } from '../components/WindowedRows';
import { formatRelative, formatTime } from '../format';

/** What a row asks the page to do; the page keeps these stable so that rows re-render only when they change. */
export interface DeadLetterRowActions {
  toggle(id: string): void;
  replay(entry: DeadLetter): void;
  details(id: string): void;
  payload(id: string): void;
  discard(entry: DeadLetter): void;
}

const COLUMNS = ['Event', 'Webhook URL', 'Error message', 'Attempts', 'Failed'];
/** A first guess at a row's height; each row is measured once drawn. */
const ROW_ESTIMATE = 64;

/**
 * The queue as a table that draws only the rows near the viewport (the page scrolls as a whole), so
 * thousands of loaded rows cost what a screenful does. `nearEnd` is called when the last drawn row
 * comes close to the end of what is loaded.
 */
export function DeadLetterTable({
  items,
  names,
  selected,
  busy,
  actions,
  allSelected,
  onToggleAll,
  nearEnd,
  footer,
}: {
  items: DeadLetter[];
  /** Each webhook's description, by id, shown with its URL. */
  names: Map<string, string>;
  selected: ReadonlySet<string>;
  busy: ReadonlySet<string>;
  actions: DeadLetterRowActions;
  allSelected: boolean;
  onToggleAll: () => void;
  nearEnd: () => void;
  footer: ReactNode;
}) {
  return (
    <div className="card table-card">
      <table
        className="table responsive dlq-table"
        aria-label="Failed events"
        aria-rowcount={items.length + 1}
      >
        <thead>
          <tr>
            <th scope="col" className="select-col">
              <input
                type="checkbox"
                aria-label="Select every loaded failed event"
                checked={allSelected}
                onChange={onToggleAll}
              />
            </th>
            {COLUMNS.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            <th scope="col" className="actions-col">
              Actions
            </th>
          </tr>
        </thead>
        <tbody>
          <WindowedRows
            items={items}
            rowKey={(entry) => entry.id}
            estimatedRowHeight={ROW_ESTIMATE}
            columns={COLUMNS.length + 2}
            onNearEnd={nearEnd}
            renderRow={(entry, measure) => (
              <DeadLetterRow
                key={entry.id}
                measure={measure}
                entry={entry}
                webhookName={names.get(entry.webhookId) ?? ''}
                selected={selected.has(entry.id)}
                busy={busy.has(entry.id)}
                actions={actions}
              />
            )}
          />
        </tbody>
      </table>
      {footer}
    </div>
  );
}

/** The last attempt's answer in a word: the status code, or that none came. */
function lastAnswer(entry: DeadLetter): string | null {
  if (!entry.lastAttempt) return null;
  return entry.lastAttempt.statusCode === null ? 'No response' : `HTTP ${entry.lastAttempt.statusCode}`;
}

const DeadLetterRow = memo(function DeadLetterRow({
  measure,
  entry,
  webhookName,
  selected,
  busy,
  actions,
}: {
  measure: RowMeasure;
  entry: DeadLetter;
  webhookName: string;
  selected: boolean;
  busy: boolean;
  actions: DeadLetterRowActions;
}) {
  const answer = lastAnswer(entry);
  return (
    <tr
      ref={measure.ref}
      data-index={measure['data-index']}
      aria-rowindex={measure['data-index'] + 2}
      className={selected ? 'selected' : undefined}
    >
      <td data-label="Select" className="select-cell">
        <input
          type="checkbox"
          aria-label={`Select ${entry.event} ${entry.eventId}`}
          checked={selected}
          onChange={() => actions.toggle(entry.id)}
        />
      </td>
      <td data-label="Event">
        <button
          type="button"
          className="link-button mono"
          title="Its attempts and the last response"
          onClick={() => actions.details(entry.id)}
        >
          {entry.event}
        </button>
        <span className="cell-sub mono">{entry.eventId}</span>
      </td>
      <td data-label="Webhook URL" className="url-cell url-cell-narrow">
        {webhookName && <span className="cell-title">{webhookName}</span>}
        <span className="mono url-text" title={entry.url}>
          {entry.url}
        </span>
      </td>
      <td data-label="Error message" className="error-cell">
        <span className="text-danger">{entry.error}</span>
        {answer && answer !== entry.error && <span className="cell-sub">Last answer: {answer}</span>}
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
          onClick={() => actions.replay(entry)}
          disabled={busy}
        >
          {busy && <Spinner small />}
          Replay
        </button>
        <button
          type="button"
          className="button button-small button-ghost"
          title="View the payload that was sent"
          onClick={() => actions.payload(entry.id)}
        >
          Payload
        </button>
        <button
          type="button"
          className="button button-small button-danger-ghost"
          title="Remove it from the queue without delivering it"
          onClick={() => actions.discard(entry)}
          disabled={busy}
        >
          Discard
        </button>
      </RowActions>
    </tr>
  );
});
