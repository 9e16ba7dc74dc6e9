import { type CSSProperties, type FormEvent, useEffect, useState } from 'react';
import { api } from '../api';
import type { Tenant } from '../api-types';
import { accentTokens } from '../branding';
import { Dialog } from '../components/dialogs';
import { ErrorNotice } from '../components/feedback';
import { describedBy, FieldError, inFieldWords, OptionalLabel, SubmitButton } from '../components/forms';
import { Logo } from '../components/Logo';

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
export function BrandingDialog({
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
