import { type CSSProperties, type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import type { CreateTenantBody, Tenant } from '../api-types';
import { accentTokens } from '../branding';
import { CopyButton } from '../components/CopyButton';
import { Dialog } from '../components/dialogs';
import { EmptyState, ErrorNotice } from '../components/feedback';
import {
  type DurationChoice,
  DurationSelect,
  describedBy,
  FieldError,
  inFieldWords,
  OptionalLabel,
  SubmitButton,
} from '../components/forms';
import { Logo } from '../components/Logo';
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
  onUpdated,
}: {
  tenants: Tenant[] | null;
  error: string | null;
  currentTenantId: string | null;
  onReload: () => void;
  onCreate: () => void;
  onOpen: (tenantId: string) => void;
  onUpdated: (tenant: Tenant) => void;
}) {
  const [secretFor, setSecretFor] = useState<{ tenant: Tenant; kind: CredentialKind } | null>(null);
  const [brandingFor, setBrandingFor] = useState<Tenant | null>(null);
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
                  <button
                    type="button"
                    className="button button-small button-ghost"
                    onClick={() => setBrandingFor(tenant)}
                  >
                    Branding
                  </button>
                </RowActions>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>
      <IssueCredentialDialog target={secretFor} onClose={() => setSecretFor(null)} />
      <BrandingDialog
        tenant={brandingFor}
        onClose={() => setBrandingFor(null)}
        onSaved={(tenant) => {
          setBrandingFor(null);
          onUpdated(tenant);
        }}
      />
    </>
  );
}

type BrandingField = 'productName' | 'accentColor' | 'logoUrl';

const BRANDING_LABELS: Record<BrandingField, string> = {
  productName: 'Product name',
  accentColor: 'Accent colour',
  logoUrl: 'Logo URL',
};

/**
 * How the console looks to this tenant's own people (its keys and portal links). Herald checks each
 * value (an accent too light for white text is refused) and the dialog shows its words by the field.
 */
function BrandingDialog({
  tenant,
  onClose,
  onSaved,
}: {
  tenant: Tenant | null;
  onClose: () => void;
  onSaved: (tenant: Tenant) => void;
}) {
  const [values, setValues] = useState<Record<BrandingField, string>>({
    productName: '',
    accentColor: '',
    logoUrl: '',
  });
  const [error, setError] = useState<{ field: BrandingField | 'form'; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!tenant) return;
    setValues({
      productName: tenant.branding.productName ?? '',
      accentColor: tenant.branding.accentColor ?? '',
      logoUrl: tenant.branding.logoUrl ?? '',
    });
    setError(null);
  }, [tenant]);

  const set = (field: BrandingField, value: string) => {
    setValues((all) => ({ ...all, [field]: value }));
    if (error?.field === field) setError(null);
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!tenant) return;
    setBusy(true);
    setError(null);
    // An emptied field goes back to Herald's own (null); the others are sent as typed.
    const branding = Object.fromEntries(
      (Object.keys(values) as BrandingField[]).map((field) => [field, values[field].trim() || null]),
    );
    try {
      onSaved(await api.updateTenant(tenant.id, { branding }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const field = (Object.keys(BRANDING_LABELS) as BrandingField[]).find((name) =>
        message.startsWith(`body.branding.${name}`),
      );
      setError(
        field
          ? { field, message: inFieldWords(message, BRANDING_LABELS[field]) }
          : { field: 'form', message },
      );
    } finally {
      setBusy(false);
    }
  }

  const accentValid = /^#[0-9a-fA-F]{6}$/.test(values.accentColor.trim());
  const previewStyle = accentValid ? (accentTokens(values.accentColor.trim()) as CSSProperties) : undefined;
  const fieldProps = (field: BrandingField) => ({
    id: `branding-${field}`,
    value: values[field],
    onChange: (e: { target: { value: string } }) => set(field, e.target.value),
    'aria-invalid': error?.field === field ? true : undefined,
    'aria-describedby': describedBy(
      error?.field === field ? error.message : null,
      `branding-${field}-error`,
      `branding-${field}-hint`,
    ),
  });

  return (
    <Dialog
      open={tenant !== null}
      title={`Branding for ${tenant?.name || tenant?.id}`}
      onClose={onClose}
      description="What this tenant’s people see when they open the console with their key or a portal link. Empty fields keep Herald’s own."
    >
      <form onSubmit={save} className="stack" noValidate>
        {error?.field === 'form' && <ErrorNotice message={error.message} />}
        <div className="field">
          <OptionalLabel htmlFor="branding-productName">Product name</OptionalLabel>
          <input {...fieldProps('productName')} placeholder="Herald" data-autofocus />
          <FieldError
            id="branding-productName-error"
            message={error?.field === 'productName' ? error.message : null}
          />
          <p id="branding-productName-hint" className="field-hint">
            Shown in the header and the tab title instead of Herald.
          </p>
        </div>
        <div className="field">
          <OptionalLabel htmlFor="branding-accentColor">Accent colour</OptionalLabel>
          <div className="input-group">
            <input
              {...fieldProps('accentColor')}
              className="mono-input"
              placeholder="#4f46e5"
              spellCheck={false}
            />
            <input
              type="color"
              className="color-swatch"
              aria-label="Pick the accent colour"
              value={accentValid ? values.accentColor.trim().toLowerCase() : '#4f46e5'}
              onChange={(e) => set('accentColor', e.target.value)}
            />
          </div>
          <FieldError
            id="branding-accentColor-error"
            message={error?.field === 'accentColor' ? error.message : null}
          />
          <p id="branding-accentColor-hint" className="field-hint">
            #rrggbb for buttons, links and the current page; dark enough for white text (4.5:1).
          </p>
        </div>
        <div className="field">
          <OptionalLabel htmlFor="branding-logoUrl">Logo URL</OptionalLabel>
          <input
            {...fieldProps('logoUrl')}
            className="mono-input"
            placeholder="https://…/logo.svg"
            spellCheck={false}
          />
          <FieldError
            id="branding-logoUrl-error"
            message={error?.field === 'logoUrl' ? error.message : null}
          />
          <p id="branding-logoUrl-hint" className="field-hint">
            An https:// address, or a data:image/…;base64, URL to keep the logo inside Herald.
          </p>
        </div>
        <div className="branding-preview" style={previewStyle} aria-hidden="true">
          <Logo
            branding={{
              productName: values.productName.trim() || undefined,
              logoUrl: values.logoUrl.trim() || undefined,
            }}
          />
          <span className="button button-primary button-small">Register Webhook</span>
        </div>
        <div className="form-actions">
          <SubmitButton busy={busy}>Save branding</SubmitButton>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

type CredentialKind = 'key' | 'link';

// The credentials a row can issue, in the order of its buttons.
const CREDENTIALS: { kind: CredentialKind; label: string }[] = [
  { kind: 'link', label: 'Portal link' },
  { kind: 'key', label: 'API key' },
];

const EXPIRY_OPTIONS: readonly DurationChoice[] = [
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
        const label = field === 'id' ? 'Tenant ID' : 'Name';
        setError({ field, message: field === 'form' ? err.message : inFieldWords(err.message, label) });
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
