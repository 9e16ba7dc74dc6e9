import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, api, type EventType, type Me, type Tenant } from './api';
import { Logo } from './components/Logo';
import { EmptyState, ErrorNotice, Loading } from './components/ui';
import { DeadLetterQueuePage } from './pages/DeadLetterQueue';
import { DeliveryHistoryPage } from './pages/DeliveryHistory';
import { EventTypesPage } from './pages/EventTypes';
import { CreateTenantDialog, TenantsPage } from './pages/Tenants';
import { WebhookFormPage } from './pages/WebhookForm';
import { WebhooksPage } from './pages/Webhooks';
import { Link, navigate, parseRoute, paths, useRoute } from './router';

const TENANT_STORAGE = 'herald.tenant';

export interface EventTypesState {
  data: EventType[] | null;
  error: string | null;
  reload: () => void;
}

function useEventTypes(): EventTypesState {
  const [data, setData] = useState<EventType[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    setError(null);
    try {
      setData((await api.eventTypes()).data);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return { data, error, reload: () => void load() };
}

export function Console({ me, onSignOut, portal }: { me: Me; onSignOut: () => void; portal: boolean }) {
  const path = useRoute();
  const route = parseRoute(path);
  const isAdmin = me.role === 'admin';
  const eventTypes = useEventTypes();

  const [tenants, setTenants] = useState<Tenant[] | null>(null);
  const [tenantsError, setTenantsError] = useState<string | null>(null);
  const [tenantId, setTenantIdState] = useState<string | null>(() =>
    isAdmin ? sessionStorage.getItem(TENANT_STORAGE) : me.tenantId,
  );
  const [creatingTenant, setCreatingTenant] = useState(false);

  const setTenantId = useCallback((id: string | null) => {
    setTenantIdState(id);
    if (id) sessionStorage.setItem(TENANT_STORAGE, id);
    else sessionStorage.removeItem(TENANT_STORAGE);
  }, []);

  const loadTenants = useCallback(async () => {
    if (!isAdmin) return;
    setTenantsError(null);
    try {
      const list = (await api.listTenants()).data;
      setTenants(list);
      setTenantIdState((current) => {
        const chosen =
          current && list.some((tenant) => tenant.id === current) ? current : (list[0]?.id ?? null);
        if (chosen) sessionStorage.setItem(TENANT_STORAGE, chosen);
        return chosen;
      });
    } catch (err) {
      setTenantsError(err instanceof ApiError ? err.message : String(err));
    }
  }, [isAdmin]);

  useEffect(() => {
    void loadTenants();
  }, [loadTenants]);

  useEffect(() => {
    if (path === '/' || path === '/settings' || path === '/settings/')
      navigate(paths.webhooks, { replace: true });
  }, [path]);

  useEffect(() => {
    const titles: Record<string, string> = {
      webhooks: 'Manage Webhooks',
      register: 'Register Webhook',
      edit: 'Edit webhook',
      deliveries: 'Delivery History',
      dlq: 'Dead Letter Queue',
      'event-types': 'Event Types',
      tenants: 'Tenants',
    };
    document.title = `${titles[route.name] ?? 'Not found'} · Herald`;
  }, [route.name]);

  const switchTenant = (id: string) => {
    setTenantId(id);
    if (route.name === 'deliveries' || route.name === 'edit') navigate(paths.webhooks);
  };

  const tenantNeeded = !['event-types', 'tenants', 'not-found'].includes(route.name);

  let page: ReactNode;
  if (isAdmin && tenantNeeded && tenants === null) {
    page = tenantsError ? (
      <ErrorNotice
        title="Tenants could not be loaded."
        message={tenantsError}
        onRetry={() => void loadTenants()}
      />
    ) : (
      <Loading />
    );
  } else if (tenantNeeded && !tenantId) {
    page = (
      <EmptyState
        title="Create your first tenant"
        icon="⌂"
        action={
          <button type="button" className="button button-primary" onClick={() => setCreatingTenant(true)}>
            Create tenant
          </button>
        }
      >
        Webhooks, deliveries and the dead letter queue belong to a tenant: one customer or workspace of your
        product. Create one to start registering webhooks.
      </EmptyState>
    );
  } else {
    const t = tenantId ?? '';
    switch (route.name) {
      case 'webhooks':
        page = <WebhooksPage key={t} tenantId={t} />;
        break;
      case 'register':
        page = <WebhookFormPage key={t} tenantId={t} eventTypes={eventTypes} />;
        break;
      case 'edit':
        page = (
          <WebhookFormPage
            key={`${t}/${route.webhookId}`}
            tenantId={t}
            eventTypes={eventTypes}
            webhookId={route.webhookId}
          />
        );
        break;
      case 'deliveries':
        page = (
          <DeliveryHistoryPage key={`${t}/${route.webhookId}`} tenantId={t} webhookId={route.webhookId} />
        );
        break;
      case 'dlq':
        page = <DeadLetterQueuePage key={t} tenantId={t} />;
        break;
      case 'event-types':
        page = <EventTypesPage eventTypes={eventTypes} />;
        break;
      case 'tenants':
        page = isAdmin ? (
          <TenantsPage
            tenants={tenants}
            error={tenantsError}
            currentTenantId={tenantId}
            onReload={() => void loadTenants()}
            onCreate={() => setCreatingTenant(true)}
            onOpen={(id) => {
              setTenantId(id);
              navigate(paths.webhooks);
            }}
          />
        ) : (
          <NotFound />
        );
        break;
      default:
        page = <NotFound />;
    }
  }

  const settingsActive = ['webhooks', 'register', 'edit', 'deliveries', 'dlq', 'event-types'].includes(
    route.name,
  );
  const webhooksActive = ['webhooks', 'register', 'edit', 'deliveries'].includes(route.name);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-top">
          <a className="brand" href={`#${paths.webhooks}`} aria-label="Herald home">
            <Logo />
          </a>
          <div className="account account-compact">
            <button type="button" className="button button-small button-ghost" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </div>

        {isAdmin ? (
          <div className="tenant-switcher">
            <label htmlFor="tenant-select">Tenant</label>
            <div className="tenant-row">
              <select
                id="tenant-select"
                value={tenantId ?? ''}
                onChange={(event) => switchTenant(event.target.value)}
                disabled={!tenants || tenants.length === 0}
              >
                {!tenants && <option value="">Loading…</option>}
                {tenants && tenants.length === 0 && <option value="">No tenants yet</option>}
                {tenants?.map((tenant) => (
                  <option key={tenant.id} value={tenant.id}>
                    {tenant.name || tenant.id}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="icon-button icon-button-bordered"
                aria-label="New tenant"
                title="New tenant"
                onClick={() => setCreatingTenant(true)}
              >
                <span aria-hidden="true">+</span>
              </button>
            </div>
          </div>
        ) : (
          <div className="tenant-switcher">
            <span className="tenant-label">Workspace</span>
            <span className="tenant-name">{me.tenantId}</span>
          </div>
        )}

        <nav aria-label="Main" className="nav">
          <Link to={paths.webhooks} className={`nav-section-title${settingsActive ? ' active' : ''}`}>
            <NavIcon name="settings" />
            Settings
          </Link>
          <ul className="nav-list">
            <li>
              <Link to={paths.webhooks} current={webhooksActive} className="nav-link">
                <NavIcon name="webhooks" />
                Manage Webhooks
              </Link>
            </li>
            <li>
              <Link to={paths.eventTypes} current={route.name === 'event-types'} className="nav-link">
                <NavIcon name="events" />
                Event Types
              </Link>
            </li>
            <li>
              <Link to={paths.dlq} current={route.name === 'dlq'} className="nav-link">
                <NavIcon name="dlq" />
                Dead Letter Queue
              </Link>
            </li>
          </ul>
          {isAdmin && (
            <>
              <span className="nav-section-title nav-section-plain">
                <NavIcon name="admin" />
                Administration
              </span>
              <ul className="nav-list">
                <li>
                  <Link to={paths.tenants} current={route.name === 'tenants'} className="nav-link">
                    <NavIcon name="tenants" />
                    Tenants
                  </Link>
                </li>
              </ul>
            </>
          )}
        </nav>

        <div className="account account-full">
          <div className="account-who">
            <span className="avatar" aria-hidden="true">
              {isAdmin ? 'A' : (me.tenantId ?? '?').slice(0, 1).toUpperCase()}
            </span>
            <span>
              <span className="account-name">{isAdmin ? 'Admin' : (me.tenantId ?? 'Tenant')}</span>
              <span className="account-role">
                {isAdmin ? 'Admin key' : portal ? 'Signed in by link' : 'Tenant key'}
              </span>
            </span>
          </div>
          <button type="button" className="button button-small button-ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </aside>

      <main id="main" className="main" tabIndex={-1}>
        <div className="main-inner">{page}</div>
      </main>

      {isAdmin && (
        <CreateTenantDialog
          open={creatingTenant}
          onClose={() => setCreatingTenant(false)}
          onCreated={(tenant) => {
            setCreatingTenant(false);
            setTenants((list) => [...(list ?? []).filter((item) => item.id !== tenant.id), tenant]);
            setTenantId(tenant.id);
            if (route.name === 'deliveries' || route.name === 'edit') navigate(paths.webhooks);
          }}
        />
      )}
    </div>
  );
}

function NotFound() {
  return (
    <EmptyState
      title="This page does not exist"
      icon="?"
      action={
        <Link to={paths.webhooks} className="button button-primary">
          Go to Manage Webhooks
        </Link>
      }
    >
      The address may be mistyped, or the page moved.
    </EmptyState>
  );
}

function NavIcon({ name }: { name: 'settings' | 'webhooks' | 'events' | 'dlq' | 'admin' | 'tenants' }) {
  const paths: Record<typeof name, ReactNode> = {
    settings: (
      <>
        <circle cx="12" cy="12" r="3" />
        <path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" />
      </>
    ),
    webhooks: (
      <>
        <path d="M18 16.98h-5.99c-1.1 0-1.95.94-2.48 1.9A4 4 0 0 1 2 17c.01-.7.2-1.4.57-2" />
        <path d="m6 17 3.13-5.78c.53-.97.1-2.18-.5-3.1a4 4 0 1 1 6.89-4.06" />
        <path d="m12 6 3.13 5.73C15.66 12.7 16.9 13 18 13a4 4 0 0 1 0 8" />
      </>
    ),
    events: (
      <>
        <path d="M4 6h16M4 12h16M4 18h10" />
      </>
    ),
    dlq: (
      <>
        <path d="M22 12h-6l-2 3h-4l-2-3H2" />
        <path d="M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z" />
      </>
    ),
    admin: (
      <>
        <path d="M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z" />
      </>
    ),
    tenants: (
      <>
        <path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2" />
        <circle cx="9" cy="7" r="4" />
        <path d="M23 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75" />
      </>
    ),
  };
  return (
    <svg
      className="nav-icon"
      viewBox="0 0 24 24"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {paths[name]}
    </svg>
  );
}
