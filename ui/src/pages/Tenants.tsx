import { useState } from 'react';
import type { Tenant } from '../api-types';
import { EmptyState } from '../components/feedback';
import { PageHeader } from '../components/PageHeader';
import { DataTable, ListStates, RowActions } from '../components/tables';
import { formatTime } from '../format';

import { BrandingDialog } from './BrandingDialog';
import { CREDENTIALS, type CredentialKind, IssueCredentialDialog } from './IssueCredentialDialog';

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
