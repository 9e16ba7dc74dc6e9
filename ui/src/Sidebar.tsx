import { type ReactNode, useEffect, useState } from 'react';
import type { Me, Tenant } from './api-types';
import { Logo } from './components/Logo';
import { Link, paths, type Route } from './router';

/**
 * The console's navigation: who is signed in, the tenant being managed (admins pick it), and the pages.
 * At phone width it folds into one bar (brand, workspace, Menu) so pages start near the top.
 */
export function Sidebar({
  me,
  portal,
  routeName,
  tenants,
  tenantId,
  onSwitchTenant,
  onCreateTenant,
  onSignOut,
}: {
  me: Me;
  portal: boolean;
  routeName: Route['name'];
  tenants: Tenant[] | null;
  tenantId: string | null;
  onSwitchTenant: (tenantId: string) => void;
  onCreateTenant: () => void;
  onSignOut: () => void;
}) {
  const isAdmin = me.role === 'admin';
  const settingsActive = ['webhooks', 'register', 'edit', 'deliveries', 'dlq', 'event-types'].includes(
    routeName,
  );
  const webhooksActive = ['webhooks', 'register', 'edit', 'deliveries'].includes(routeName);
  const [menuOpen, setMenuOpen] = useState(false);
  // A page chosen from the folded menu closes it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the route is what closes the menu
  useEffect(() => setMenuOpen(false), [routeName]);

  const currentTenant = isAdmin ? tenants?.find((tenant) => tenant.id === tenantId) : undefined;
  const workspaceName = isAdmin ? currentTenant?.name : (me.tenantName ?? me.tenantId);
  const workspaceId = isAdmin ? tenantId : me.tenantId;

  return (
    <aside className={`sidebar${menuOpen ? ' menu-open' : ''}`}>
      <div className="sidebar-top">
        <a
          className="brand"
          href={`#${paths.webhooks}`}
          aria-label={`${me.branding?.productName ?? 'Herald'} home`}
        >
          <Logo branding={me.branding} />
        </a>
        {workspaceId && (
          <span className="workspace-compact">
            <span className="workspace-compact-name">{workspaceName || workspaceId}</span>
            {workspaceName && workspaceName !== workspaceId && (
              <span className="workspace-compact-id mono">{workspaceId}</span>
            )}
          </span>
        )}
        <button
          type="button"
          className="button button-small menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="sidebar-menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          {menuOpen ? 'Close menu' : 'Menu'}
        </button>
      </div>

      <div id="sidebar-menu" className="sidebar-menu">
        {isAdmin ? (
          <div className="tenant-switcher">
            <label htmlFor="tenant-select">Tenant</label>
            <div className="tenant-row">
              <select
                id="tenant-select"
                value={tenantId ?? ''}
                onChange={(event) => onSwitchTenant(event.target.value)}
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
                onClick={onCreateTenant}
              >
                <span aria-hidden="true">+</span>
              </button>
            </div>
          </div>
        ) : (
          <div className="tenant-switcher workspace-full">
            <span className="tenant-label">Workspace</span>
            <span className="workspace-name">{workspaceName}</span>
            {workspaceName !== me.tenantId && <span className="tenant-name">{me.tenantId}</span>}
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
              <Link to={paths.eventTypes} current={routeName === 'event-types'} className="nav-link">
                <NavIcon name="events" />
                Event Types
              </Link>
            </li>
            <li>
              <Link to={paths.dlq} current={routeName === 'dlq'} className="nav-link">
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
                  <Link to={paths.tenants} current={routeName === 'tenants'} className="nav-link">
                    <NavIcon name="tenants" />
                    Tenants
                  </Link>
                </li>
              </ul>
            </>
          )}
        </nav>

        <div className="account">
          <div className="account-who">
            <span className="avatar" aria-hidden="true">
              {isAdmin ? 'A' : (workspaceName ?? '?').slice(0, 1).toUpperCase()}
            </span>
            <span>
              <span className="account-name">{isAdmin ? 'Admin' : workspaceName}</span>
              <span className="account-role">
                {isAdmin ? 'Admin key' : portal ? 'Signed in by link' : 'Tenant key'}
              </span>
            </span>
          </div>
          <button type="button" className="button button-small button-ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </div>
    </aside>
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
