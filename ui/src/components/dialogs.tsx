import { type ReactNode, type RefObject, useEffect, useId, useRef } from 'react';
import { ErrorNotice, Spinner } from './feedback';

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

/**
 * A body taller than the dialog scrolls; keyboards can scroll it only once it can take focus, so it
 * joins the tab order exactly while it overflows (long payloads, headers).
 */
function useKeyboardScrollable(ref: RefObject<HTMLElement | null>, open: boolean): void {
  useEffect(() => {
    const body = ref.current;
    if (!open || !body) return;
    const update = () => {
      if (body.scrollHeight > body.clientHeight) body.tabIndex = 0;
      else body.removeAttribute('tabindex');
    };
    // The body's own size is capped, so what grows is its content: loaded, expanded, replaced.
    const resized = new ResizeObserver(update);
    resized.observe(body);
    const changed = new MutationObserver(update);
    changed.observe(body, { childList: true, subtree: true, characterData: true });
    update();
    return () => {
      resized.disconnect();
      changed.disconnect();
    };
  }, [ref, open]);
}

/** A modal dialog: the native <dialog> gives focus trapping, Escape and inertness for free. */
export function Dialog({ open, title, onClose, children, footer, wide, role, description }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const bodyRef = useRef<HTMLDivElement>(null);
  useKeyboardScrollable(bodyRef, open);
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
          <div className="dialog-body" ref={bodyRef}>
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
  /** The action cannot be taken (Cancel still can). */
  confirmDisabled?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before an action; `danger` puts the focus on Cancel instead of the action. */
export function ConfirmDialog(props: ConfirmProps) {
  const { open, title, message, confirmLabel, danger, busy, confirmDisabled, error, onConfirm, onCancel } =
    props;
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
            disabled={busy || confirmDisabled}
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
