import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { LivePagedList } from '../hooks';

/* ---------- Dialog: the native <dialog> gives focus trapping, Escape and inertness for free. ---------- */

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  role?: 'dialog' | 'alertdialog';
  description?: ReactNode;
}

export function Dialog({ open, title, onClose, children, footer, wide, role, description }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    // A backdrop click is a mouse-only shortcut; keyboards close with Escape (native cancel) or Close.
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape and the Close button cover the keyboard
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its panel) closes it.
        if (event.target === ref.current) onClose();
      }}
    >
      {open && (
        <div className="dialog-panel">
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
              <span aria-hidden="true">×</span>
            </button>
          </header>
          <div className="dialog-body">
            {description && (
              <p id={descriptionId} className="dialog-description">
                {description}
              </p>
            )}
            {children}
          </div>
          {footer && <footer className="dialog-footer">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog(props: ConfirmProps) {
  const { open, title, message, confirmLabel, danger, busy, error, onConfirm, onCancel } = props;
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      role="alertdialog"
      description={message}
      footer={
        <>
          <button
            type="button"
            className="button"
            onClick={onCancel}
            disabled={busy}
            data-autofocus={danger ? true : undefined}
          >
            Cancel
          </button>
          <button
            type="button"
            className={`button ${danger ? 'button-danger' : 'button-primary'}`}
            onClick={onConfirm}
            disabled={busy}
            data-autofocus={danger ? undefined : true}
          >
            {busy && <Spinner small />}
            {confirmLabel}
          </button>
        </>
      }
    >
      {error && <ErrorNotice message={error} />}
    </Dialog>
  );
}

/* ---------- Small pieces ---------- */

export function Spinner({ small, label }: { small?: boolean; label?: string }) {
  return (
    <span className={`spinner${small ? ' spinner-small' : ''}`} role={label ? 'status' : undefined}>
      {label && <span className="visually-hidden">{label}</span>}
    </span>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <Spinner />
      <span>{label}</span>
    </div>
  );
}

export function ErrorNotice({
  message,
  onRetry,
  title,
}: {
  message: string;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="notice notice-error" role="alert">
      <div>
        {title && <strong>{title} </strong>}
        {message}
      </div>
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  action,
  icon,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <div className="empty-icon" aria-hidden="true">
        {icon ?? '◇'}
      </div>
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

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

/** A form's primary submit button, with a spinner while the form is being sent. */
export function SubmitButton({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="button button-primary" disabled={busy}>
      {busy && <Spinner small />}
      {children}
    </button>
  );
}

/** A form field's label marked Optional. */
export function OptionalLabel({ htmlFor, children }: { htmlFor: string; children: ReactNode }) {
  return (
    <div className="label-row">
      <label htmlFor={htmlFor}>{children}</label>
      <span className="optional">Optional</span>
    </div>
  );
}

/** The error under a form field, announced as it appears; nothing without a message. */
export function FieldError({ id, message }: { id: string; message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error" role="alert">
      {message}
    </p>
  );
}

export function PageHeader({
  title,
  description,
  actions,
  back,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  back?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div className="page-heading">
        {back}
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export type Tone = 'success' | 'danger' | 'warning' | 'neutral' | 'info';

/** One labelled value of a detail grid (`<dl className="detail-grid">`). */
export function DetailField({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={className}>{children}</dd>
    </div>
  );
}

export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      <span className="badge-dot" aria-hidden="true" />
      {children}
    </span>
  );
}

export function CopyButton({
  text,
  label = 'Copy',
  className,
}: {
  text: string;
  label?: string;
  className?: string;
}) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className={className ?? 'button'}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Clipboard refused (insecure context): fall back to a selection-based copy.
          const area = document.createElement('textarea');
          area.value = text;
          area.setAttribute('readonly', '');
          area.style.position = 'fixed';
          area.style.opacity = '0';
          document.body.appendChild(area);
          area.select();
          document.execCommand('copy');
          area.remove();
        }
        setCopied(true);
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

/* ---------- Toasts: short confirmations announced to screen readers. ---------- */

interface Toast {
  id: number;
  tone: 'success' | 'error' | 'info';
  message: string;
}

const ToastContext = createContext<(message: string, tone?: Toast['tone']) => void>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const push = useCallback((message: string, tone: Toast['tone'] = 'success') => {
    const id = nextId.current++;
    setToasts((list) => [...list.slice(-2), { id, tone, message }]);
    setTimeout(() => setToasts((list) => list.filter((toast) => toast.id !== id)), 4000);
  }, []);
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.tone}`}>
            <span>{toast.message}</span>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss notification"
              onClick={() => setToasts((list) => list.filter((item) => item.id !== toast.id))}
            >
              <span aria-hidden="true">×</span>
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}

/** Focuses an element once, after it first renders (instead of the autoFocus attribute). */
export function useFocusOnMount<T extends HTMLElement>(enabled = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (enabled) ref.current?.focus();
  }, [enabled]);
  return ref;
}
