import type { ReactNode } from 'react';
import type { LivePagedList } from '../hooks';
import { ErrorNotice, Loading, Spinner } from './feedback';

/**
 * The four states every list page shows in the same order: the load error (with a retry), loading,
 * the empty state, and the list itself once it has rows.
 */
export function ListStates<T>({
  items,
  error,
  errorTitle,
  onRetry,
  loadingLabel,
  empty,
  children,
}: {
  items: T[] | null;
  error: string | null;
  errorTitle: string;
  onRetry: () => void;
  loadingLabel: string;
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  return (
    <>
      {error && <ErrorNotice title={errorTitle} message={error} onRetry={onRetry} />}
      {!error && items === null && <Loading label={loadingLabel} />}
      {items && items.length === 0 && empty}
      {items && items.length > 0 && children(items)}
    </>
  );
}

/** A list page's table in its card; `actions` adds the trailing Actions column for per-row buttons. */
export function DataTable({
  label,
  columns,
  actions,
  clickable,
  footer,
  children,
}: {
  label: string;
  columns: string[];
  actions?: boolean;
  clickable?: boolean;
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="card table-card">
      <table className={`table responsive${clickable ? ' clickable' : ''}`} aria-label={label}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col" className="actions-col">
                Actions
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {footer}
    </div>
  );
}

/** The last cell of a row in a DataTable with `actions`: the row's buttons, then what reports on them. */
export function RowActions({ children, after }: { children: ReactNode; after?: ReactNode }) {
  return (
    <td data-label="Actions" className="actions-cell">
      <div className="row-actions">{children}</div>
      {after}
    </td>
  );
}

/** The Load more button under a paged table, shown while there is a next page. */
export function LoadMoreFooter({
  list,
}: {
  list: Pick<LivePagedList<unknown>, 'nextCursor' | 'loadingMore' | 'loadMore'>;
}) {
  if (!list.nextCursor) return null;
  return (
    <div className="table-footer">
      <button
        type="button"
        className="button"
        onClick={() => void list.loadMore()}
        disabled={list.loadingMore}
      >
        {list.loadingMore && <Spinner small />}
        Load more
      </button>
    </div>
  );
}
