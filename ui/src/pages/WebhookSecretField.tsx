import { type FormEvent, forwardRef, useEffect, useState } from 'react';
import { ApiError, api, generateSecret } from '../api';
import type { Webhook } from '../api-types';
import { CopyButton } from '../components/CopyButton';
import { Dialog } from '../components/dialogs';
import { ErrorNotice } from '../components/feedback';
import {
  type DurationChoice,
  DurationSelect,
  describedBy,
  FieldError,
  inFieldWords,
  OptionalLabel,
  SubmitButton,
} from '../components/forms';
import { formatTime } from '../format';

/** What Save does with the secret: keep the stored one, set the one typed, or remove it. */
export type SecretChange = { kind: 'keep' } | { kind: 'set'; secret: string } | { kind: 'remove' };

/**
 * The Secret field. Registering: type or generate one. Editing a webhook that has one: leave it, type
 * a replacement, remove it, reveal it (read from Herald on request, to set up a receiver), or rotate
 * it with a grace period during which the old one also signs.
 */
export const WebhookSecretField = forwardRef<
  HTMLInputElement,
  {
    tenantId: string;
    existing: Webhook | null;
    value: string;
    removing: boolean;
    error: string | undefined;
    onChange: (value: string) => void;
    onRemovingChange: (removing: boolean) => void;
    /** Opens RotateSecretDialog, which the page renders outside its form (forms do not nest). */
    onRotate: () => void;
    onWebhookChange: (webhook: Webhook) => void;
  }
>(function WebhookSecretField(
  { tenantId, existing, value, removing, error, onChange, onRemovingChange, onRotate, onWebhookChange },
  ref,
) {
  const [generated, setGenerated] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);
  /** The stored secret as Herald answered it, while shown. */
  const [revealed, setRevealed] = useState<string | null>(null);
  // A rotation or a save changes the webhook: what was revealed may no longer be its secret.
  // biome-ignore lint/correctness/useExhaustiveDependencies: existing is the trigger, not read
  useEffect(() => setRevealed(null), [existing]);
  const hasSecret = existing?.hasSecret ?? false;
  const previousUntil = existing?.previousSecretExpiresAt ?? null;
  const previousSigning = previousUntil !== null && Date.parse(previousUntil) > Date.now();

  async function stopPrevious() {
    if (!existing) return;
    setDropError(null);
    try {
      onWebhookChange(await api.dropPreviousSecret(tenantId, existing.id));
    } catch (err) {
      setDropError(err instanceof Error ? err.message : String(err));
    }
  }

  async function reveal() {
    if (!existing) return;
    setDropError(null);
    try {
      setRevealed((await api.revealSecret(tenantId, existing.id)).secret ?? '');
    } catch (err) {
      setDropError(err instanceof Error ? err.message : String(err));
    }
  }

  let hint: string;
  if (removing) hint = 'Save removes the secret: deliveries go out unsigned from then on.';
  else if (generated)
    hint = 'Copy this secret now and store it with your receiver: Herald never shows it again.';
  else if (hasSecret)
    hint =
      'A secret is set. Leave this empty to keep it, enter a new one to replace it at once, or rotate it.';
  else
    hint =
      'Herald signs every request with it (X-Webhook-Signature: sha256=…) so your service can verify it came from us.';

  return (
    <div className="field">
      <OptionalLabel htmlFor="webhook-secret">Secret</OptionalLabel>
      <div className="input-group">
        <input
          ref={ref}
          id="webhook-secret"
          name="secret"
          type="text"
          autoComplete="off"
          spellCheck={false}
          className="mono-input"
          placeholder={removing ? 'Removed on save' : hasSecret ? 'Unchanged' : 'whsec_…'}
          value={value}
          disabled={removing}
          onChange={(e) => {
            onChange(e.target.value);
            setGenerated(false);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(error, 'secret-error', 'secret-hint')}
        />
        <button
          type="button"
          className="button"
          disabled={removing}
          onClick={() => {
            onChange(generateSecret());
            setGenerated(true);
          }}
        >
          Generate
        </button>
        {value && <CopyButton text={value} />}
      </div>
      <FieldError id="secret-error" message={error} />
      <p id="secret-hint" className={`field-hint${generated || removing ? ' field-hint-strong' : ''}`}>
        {hint}
      </p>
      {existing && hasSecret && (
        <div className="button-row secret-actions">
          <button
            type="button"
            className="button button-small"
            disabled={removing}
            aria-expanded={revealed !== null}
            onClick={() => (revealed === null ? void reveal() : setRevealed(null))}
          >
            {revealed === null ? 'Reveal secret' : 'Hide secret'}
          </button>
          <button type="button" className="button button-small" disabled={removing} onClick={onRotate}>
            Rotate secret…
          </button>
          <button
            type="button"
            className="button button-small button-ghost"
            aria-pressed={removing}
            onClick={() => {
              onRemovingChange(!removing);
              onChange('');
              setGenerated(false);
            }}
          >
            {removing ? 'Keep the secret' : 'Remove secret'}
          </button>
        </div>
      )}
      {existing && hasSecret && revealed !== null && !removing && (
        <div className="input-group secret-revealed">
          <label className="visually-hidden" htmlFor="revealed-secret">
            Current secret
          </label>
          <input id="revealed-secret" className="mono-input" readOnly value={revealed} />
          <CopyButton text={revealed} />
        </div>
      )}
      {existing && previousSigning && previousUntil && (
        <div className="notice notice-info secret-grace" role="status">
          <span>
            The previous secret also signs deliveries until {formatTime(previousUntil)}, so your receiver can
            switch over.
          </span>
          <button type="button" className="button button-small" onClick={() => void stopPrevious()}>
            Stop the previous secret now
          </button>
        </div>
      )}
      {dropError && <ErrorNotice message={dropError} />}
    </div>
  );
});

const GRACE_PERIODS: readonly DurationChoice[] = [
  { seconds: 0, label: 'None: stop the current secret now' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 604_800, label: '7 days' },
];

export function RotateSecretDialog({
  open,
  tenantId,
  webhook,
  onClose,
  onRotated,
}: {
  open: boolean;
  tenantId: string;
  webhook: Webhook;
  onClose: () => void;
  onRotated: (webhook: Webhook) => void;
}) {
  const [gracePeriod, setGracePeriod] = useState(86_400);
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rotated, setRotated] = useState<{ secret: string; previousUntil: string | null } | null>(null);

  function close() {
    setRotated(null);
    setSecret('');
    setError(null);
    onClose();
  }

  async function rotate(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api.rotateSecret(tenantId, webhook.id, {
        gracePeriod,
        ...(secret.trim() ? { secret: secret.trim() } : {}),
      });
      setRotated({ secret: answer.secret, previousUntil: answer.webhook.previousSecretExpiresAt });
      onRotated(answer.webhook);
    } catch (err) {
      setError(err instanceof ApiError ? inFieldWords(err.message, 'The new secret') : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      title="Rotate secret"
      onClose={close}
      description="A new secret signs every delivery from now on. During the grace period the current one signs too (one signature each), so your receiver can switch without refusing deliveries."
    >
      {rotated ? (
        <div className="issued">
          <label htmlFor="rotated-secret">New secret</label>
          <div className="input-group">
            <input
              id="rotated-secret"
              className="mono-input"
              readOnly
              value={rotated.secret}
              onFocus={(e) => e.target.select()}
            />
            <CopyButton text={rotated.secret} />
          </div>
          <p className="field-hint field-hint-strong">
            Copy it now: Herald never shows it again.{' '}
            {rotated.previousUntil
              ? `The previous secret also signs until ${formatTime(rotated.previousUntil)}.`
              : 'The previous secret no longer signs.'}
          </p>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={rotate} className="stack" noValidate>
          {error && <ErrorNotice message={error} />}
          <div className="field">
            <label htmlFor="grace-period">Grace period</label>
            <DurationSelect
              id="grace-period"
              choices={GRACE_PERIODS}
              seconds={gracePeriod}
              onChange={setGracePeriod}
            />
          </div>
          <div className="field">
            <OptionalLabel htmlFor="rotate-secret-value">New secret</OptionalLabel>
            <input
              id="rotate-secret-value"
              className="mono-input"
              autoComplete="off"
              spellCheck={false}
              value={secret}
              placeholder="Left empty, Herald generates one"
              onChange={(e) => setSecret(e.target.value)}
            />
          </div>
          <div className="form-actions">
            <SubmitButton busy={busy}>Rotate secret</SubmitButton>
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
