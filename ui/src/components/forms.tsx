import { type ReactNode, useEffect, useRef } from 'react';
import { Spinner } from './feedback';

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

/** A length of time, in seconds. */
export interface DurationChoice {
  seconds: number;
  label: string;
}

/** A `<select>` of a few lengths of time; its value is in seconds. */
export function DurationSelect({
  id,
  choices,
  seconds,
  onChange,
}: {
  id: string;
  choices: readonly DurationChoice[];
  seconds: number;
  onChange: (seconds: number) => void;
}) {
  return (
    <select id={id} value={seconds} onChange={(e) => onChange(Number(e.target.value))}>
      {choices.map((choice) => (
        <option key={choice.seconds} value={choice.seconds}>
          {choice.label}
        </option>
      ))}
    </select>
  );
}

/** One choice of a radio group drawn as a card: its title, and a line on what it means. */
export function RadioCard({
  name,
  checked,
  onChange,
  title,
  children,
}: {
  name: string;
  checked: boolean;
  onChange: () => void;
  title: string;
  children: ReactNode;
}) {
  return (
    <label className={`radio-card${checked ? ' checked' : ''}`}>
      <input type="radio" name={name} checked={checked} onChange={onChange} />
      <span>
        <span className="radio-title">{title}</span>
        <span className="radio-sub">{children}</span>
      </span>
    </label>
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

/** What an input's aria-describedby names: its error while it has one, then its hint. */
export function describedBy(
  error: string | null | undefined,
  errorId: string,
  hintId?: string,
): string | undefined {
  return [error ? errorId : null, hintId ?? null].filter(Boolean).join(' ') || undefined;
}

/** Focuses an element once, after it first renders (instead of the autoFocus attribute). */
export function useFocusOnMount<T extends HTMLElement>(enabled = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (enabled) ref.current?.focus();
  }, [enabled]);
  return ref;
}

/**
 * An API validation message shown beside its field, where the field's label reads better than the
 * request path: "body.secret must be at least 8 characters long." → "Secret must be at least …".
 */
export function inFieldWords(message: string, label: string): string {
  return message.replace(/^body[\w.[\]]*(:?) /, (_match, colon: string) => `${label}${colon} `);
}
