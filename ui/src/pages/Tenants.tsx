import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import type { CreateTenantBody, Tenant } from '../api-types';
import { CopyButton } from '../components/CopyButton';
import { Dialog } from '../components/dialogs';
import { EmptyState, ErrorNotice } from '../components/feedback';
import { FieldError, OptionalLabel, SubmitButton } from '../components/forms';
import { PageHeader } from '../components/PageHeader';
import { DataTable, ListStates, RowActions } from '../components/tables';
import { formatTime } from '../format';

export function TenantsPage({
  tenants,
  error,
  currentTenantId,
  onReload,
  onCreate,
  onOpen,
}: {
  tenants: Tenant[] | null;
  error: string | null;
  currentTenantId: string | null;
  onReload: () => void;
  onCreate: () => void;
  onOpen: (tenantId: string) => void;
}) {
  const [secretFor, setSecretFor] = useState<{ tenant: Tenant; kind: CredentialKind } | null>(null);
  const createButton = (
    <button type="button" className="button button-primary" onClick={onCreate}>
      <span aria-hidden="true">+</span> Create tenant
    </button>
  );
  return (
    <>
      <PageHeader
        title="Tenants"
        description="Each tenant is one customer or workspace of your product, with its own webhooks, history and queue."
        actions={tenants && tenants.length > 0 ? createButton : undefined}
      />
      <ListStates
        items={tenants}
        error={error}
        errorTitle="Tenants could not be loaded."
        onRetry={onReload}
        loadingLabel="Loading tenants…"
        empty={
          <EmptyState title="No tenants yet" icon="⌂" action={createButton}>
            No tenants yet — Create tenant, then register its webhooks.
          </EmptyState>
        }
      >
        {(tenants) => (
          <DataTable label="Tenants" columns={['Tenant', 'Created']} actions>
            {tenants.map((tenant) => (
              <tr key={tenant.id}>
                <td data-label="Tenant">
                  <strong>{tenant.name || tenant.id}</strong>
                  {tenant.id === currentTenantId && <span className="chip chip-accent">Current</span>}
                  <span className="cell-sub mono">{tenant.id}</span>
                </td>
                <td data-label="Created">{formatTime(tenant.createdAt)}</td>
                <RowActions>
                  <button type="button" className="button button-small" onClick={() => onOpen(tenant.id)}>
                    Open
                  </button>
                  {CREDENTIALS.map(({ kind, label }) => (
                    <button
                      key={kind}
                      type="button"
                      className="button button-small button-ghost"
                      onClick={() => setSecretFor({ tenant, kind })}
                    >
                      {label}
                    </button>
                  ))}
                </RowActions>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>
      <IssueCredentialDialog target={secretFor} onClose={() => setSecretFor(null)} />
    </>
  );
}

type CredentialKind = 'key' | 'link';

// The credentials a row can issue, in the order of its buttons.
const CREDENTIALS: { kind: CredentialKind; label: string }[] = [
  { kind: 'link', label: 'Portal link' },
  { kind: 'key', label: 'API key' },
];

const EXPIRY_OPTIONS = [
  { seconds: 900, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86400, label: '24 hours' },
  { seconds: 604800, label: '7 days' },
];

function IssueCredentialDialog({
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
              <select
                id="link-expiry"
                value={expiresIn}
                onChange={(e) => setExpiresIn(Number(e.target.value))}
              >
                {EXPIRY_OPTIONS.map((option) => (
                  <option key={option.seconds} value={option.seconds}>
                    {option.label}
                  </option>
                ))}
              </select>
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

export function CreateTenantDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (tenant: Tenant) => void;
}) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<{ field: 'id' | 'name' | 'form'; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setId('');
      setName('');
      setError(null);
    }
  }, [open]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: CreateTenantBody = {};
      if (id.trim()) body.id = id.trim();
      if (name.trim()) body.name = name.trim();
      onCreated(await api.createTenant(body));
    } catch (err) {
      if (err instanceof ApiError) {
        const field =
          err.code === 'TENANT_EXISTS' || /\bid\b/i.test(err.message)
            ? 'id'
            : /\bname\b/i.test(err.message)
              ? 'name'
              : 'form';
        setError({ field, message: err.message });
      } else {
        setError({ field: 'form', message: String(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} title="Create tenant" onClose={onClose}>
      <form onSubmit={submit} className="stack" noValidate>
        {error?.field === 'form' && <ErrorNotice message={error.message} />}
        <div className="field">
          <OptionalLabel htmlFor="tenant-id">Tenant ID</OptionalLabel>
          <input
            id="tenant-id"
            className="mono-input"
            value={id}
            onChange={(e) => setId(e.target.value)}
            placeholder="tenant_abc123"
            spellCheck={false}
            data-autofocus
            aria-invalid={error?.field === 'id' ? true : undefined}
            aria-describedby={error?.field === 'id' ? 'tenant-id-error' : 'tenant-id-hint'}
          />
          {error?.field === 'id' ? (
            <FieldError id="tenant-id-error" message={error.message} />
          ) : (
            <p id="tenant-id-hint" className="field-hint">
              Letters, digits, _ and -. Use your product’s own workspace id; left empty, Herald makes one.
            </p>
          )}
        </div>
        <div className="field">
          <OptionalLabel htmlFor="tenant-name">Name</OptionalLabel>
          <input
            id="tenant-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Acme Inc."
            aria-invalid={error?.field === 'name' ? true : undefined}
            aria-describedby={error?.field === 'name' ? 'tenant-name-error' : undefined}
          />
          {error?.field === 'name' && <FieldError id="tenant-name-error" message={error.message} />}
        </div>
        <div className="form-actions">
          <SubmitButton busy={busy}>Create tenant</SubmitButton>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
