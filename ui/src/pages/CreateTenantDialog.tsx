import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import type { CreateTenantBody, Tenant } from '../api-types';
import { Dialog } from '../components/dialogs';
import { ErrorNotice } from '../components/feedback';
import { FieldError, inFieldWords, OptionalLabel, SubmitButton } from '../components/forms';

/** Creates a tenant; the server's words on a refused id or name are shown by that field. */
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
