import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import type { Tenant } from '../api-types';
import { CopyButton } from '../components/CopyButton';
import { Dialog } from '../components/dialogs';
import { ErrorNotice } from '../components/feedback';
import { type DurationChoice, DurationSelect, OptionalLabel, SubmitButton } from '../components/forms';
import { formatTime } from '../format';

export type CredentialKind = 'key' | 'link';

// The credentials a row can issue, in the order of its buttons.
export const CREDENTIALS: { kind: CredentialKind; label: string }[] = [
  { kind: 'link', label: 'Portal link' },
  { kind: 'key', label: 'API key' },
];

const EXPIRY_OPTIONS: readonly DurationChoice[] = [
  { seconds: 900, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86400, label: '24 hours' },
  { seconds: 604800, label: '7 days' },
];

/**
 * Issues a tenant an API key or a portal link (a console sign-in that expires on its own) and shows
 * it once: Herald keeps only a key's hash, and a link is signed, not stored.
 */
export function IssueCredentialDialog({
  target,
  onClose,
}: {
  target: { tenant: Tenant; kind: CredentialKind } | null;
  onClose: () => void;
}) {
  const [expiresIn, setExpiresIn] = useState(3600);
  const [name, setName] = useState('');
  const [result, setResult] = useState<{ value: string; note: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: each new target starts a fresh form
  useEffect(() => {
    setResult(null);
    setError(null);
    setName('');
  }, [target]);

  const isLink = target?.kind === 'link';

  async function issue(event: FormEvent) {
    event.preventDefault();
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      if (isLink) {
        const link = await api.createPortalLink(target.tenant.id, expiresIn);
        setResult({ value: link.url, note: `Works until ${formatTime(link.expiresAt)}.` });
      } else {
        const key = await api.createApiKey(target.tenant.id, name.trim() || undefined);
        setResult({
          value: key.key,
          note: 'Copy it now: Herald stores only a hash and cannot show it again.',
        });
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={target !== null}
      title={isLink ? `Portal link for ${target?.tenant.id}` : `API key for ${target?.tenant.id}`}
      onClose={onClose}
      description={
        isLink
          ? 'Anyone with this link can manage this tenant’s webhooks until it expires. Embed it in your product or send it to the customer.'
          : 'A tenant key can manage this tenant’s webhooks and publish its events, and nothing else.'
      }
    >
      {result ? (
        <div className="issued">
          <label htmlFor="issued-value">{isLink ? 'Link' : 'Key'}</label>
          <div className="input-group">
            <input
              id="issued-value"
              className="mono-input"
              readOnly
              value={result.value}
              onFocus={(e) => e.target.select()}
            />
            <CopyButton text={result.value} />
          </div>
          <p className="field-hint field-hint-strong">{result.note}</p>
        </div>
      ) : (
        <form onSubmit={issue} className="stack">
          {error && <ErrorNotice message={error} />}
          {isLink ? (
            <div className="field">
              <label htmlFor="link-expiry">Expires after</label>
              <DurationSelect
                id="link-expiry"
                choices={EXPIRY_OPTIONS}
                seconds={expiresIn}
                onChange={setExpiresIn}
              />
            </div>
          ) : (
            <div className="field">
              <OptionalLabel htmlFor="key-name">Key name</OptionalLabel>
              <input
                id="key-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="e.g. production"
              />
            </div>
          )}
          <div className="form-actions">
            <SubmitButton busy={busy}>{isLink ? 'Create link' : 'Create key'}</SubmitButton>
          </div>
        </form>
      )}
    </Dialog>
  );
}
