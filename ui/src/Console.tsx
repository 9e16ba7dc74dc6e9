import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, api } from './api';
import type { Me, Tenant } from './api-types';
import { productName, useBranding } from './branding';
import { ConnectionBanner } from './components/ConnectionBanner';
import { EmptyState, ErrorNotice, Loading } from './components/feedback';
import { useEventTypes } from './event-types';
import { lazyPage, usePreloadWhenIdle } from './lazy-page';
import { CreateTenantDialog } from './pages/CreateTenantDialog';
import { TenantsPage } from './pages/Tenants';
import { WebhooksPage } from './pages/Webhooks';
import { Link, navigate, parseRoute, paths, useRoute } from './router';
import { SessionExpiry } from './SessionExpiry';
import { Sidebar } from './Sidebar';

/*
 * Pages other than the webhooks list load apart from the first screen: the script the browser must
 * run before it stays small, so starting the console is no long task. Once the first screen is up,
 * the rest load while the browser is idle, so opening a page later waits on no download.
 */
const DeadLetterQueue = lazyPage(() => import('./pages/DeadLetterQueue').then((m) => m.DeadLetterQueuePage));
const DeliveryHistory = lazyPage(() => import('./pages/DeliveryHistory').then((m) => m.DeliveryHistoryPage));
const Event = lazyPage(() => import('./pages/EventPage').then((m) => m.EventPage));
const EventTypes = lazyPage(() => import('./pages/EventTypes').then((m) => m.EventTypesPage));
const WebhookDetail = lazyPage(() => import('./pages/WebhookDetail').then((m) => m.WebhookDetailPage));
const WebhookForm = lazyPage(() => import('./pages/WebhookForm').then((m) => m.WebhookFormPage));

const LATER_PAGES = [DeliveryHistory, DeadLetterQueue, Event, WebhookDetail, WebhookForm, EventTypes];

const TENANT_STORAGE = 'herald.tenant';

export function Console({
  me,
  onSignOut,
  onExpired,
  portal,
}: {
  me: Me;
  onSignOut: () => void;
  onExpired: () => void;
  portal: boolean;
}) {
  const path = useRoute();
  const route = parseRoute(path);
  const isAdmin = me.role === 'admin';
  const eventTypes = useEventTypes();
  useBranding(me.branding);
  usePreloadWhenIdle(LATER_PAGES);
  const product = productName(me.branding);

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
      webhook: 'Webhook',
      edit: 'Edit webhook',
      deliveries: 'Delivery History',
      event: 'Event',
      dlq: 'Dead Letter Queue',
      'event-types': 'Event Types',
      tenants: 'Tenants',
    };
    document.title = `${titles[route.name] ?? 'Not found'} · ${product}`;
  }, [route.name, product]);

  const switchTenant = (id: string) => {
    setTenantId(id);
    if (['webhook', 'deliveries', 'edit', 'event'].includes(route.name)) navigate(paths.webhooks);
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
        level={1}
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
        page = <WebhooksPage key={t} tenantId={t} eventTypes={eventTypes} />;
        break;
      case 'register':
        page = <WebhookForm.Page key={t} tenantId={t} eventTypes={eventTypes} />;
        break;
      case 'webhook':
        page = (
          <WebhookDetail.Page key={`${t}/${route.webhookId}`} tenantId={t} webhookId={route.webhookId} />
        );
        break;
      case 'edit':
        page = (
          <WebhookForm.Page
            key={`${t}/${route.webhookId}`}
            tenantId={t}
            eventTypes={eventTypes}
            webhookId={route.webhookId}
          />
        );
        break;
      case 'deliveries':
        page = (
          <DeliveryHistory.Page
            key={`${t}/${route.webhookId}`}
            tenantId={t}
            webhookId={route.webhookId}
            eventTypes={eventTypes}
          />
        );
        break;
      case 'event':
        page = <Event.Page key={`${t}/${route.eventId}`} tenantId={t} eventId={route.eventId} />;
        break;
      case 'dlq':
        page = <DeadLetterQueue.Page key={t} tenantId={t} />;
        break;
      case 'event-types':
        page = <EventTypes.Page eventTypes={eventTypes} />;
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
            onUpdated={(tenant) =>
              setTenants((list) => (list ?? []).map((item) => (item.id === tenant.id ? tenant : item)))
            }
          />
        ) : (
          <NotFound />
        );
        break;
      default:
        page = <NotFound />;
    }
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar
        me={me}
        portal={portal}
        routeName={route.name}
        tenants={tenants}
        tenantId={tenantId}
        onSwitchTenant={switchTenant}
        onCreateTenant={() => setCreatingTenant(true)}
        onSignOut={onSignOut}
      />

      <main id="main" className="main" tabIndex={-1}>
        <div className="main-inner">
          <ConnectionBanner />
          <SessionExpiry
            expiresAt={me.expiresAt}
            portal={portal}
            productName={product}
            onExpired={onExpired}
          />
          {page}
        </div>
      </main>

      {isAdmin && (
        <CreateTenantDialog
          open={creatingTenant}
          onClose={() => setCreatingTenant(false)}
          onCreated={(tenant) => {
            setCreatingTenant(false);
            setTenants((list) => [...(list ?? []).filter((item) => item.id !== tenant.id), tenant]);
            setTenantId(tenant.id);
            if (['webhook', 'deliveries', 'edit', 'event'].includes(route.name)) navigate(paths.webhooks);
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
      level={1}
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
