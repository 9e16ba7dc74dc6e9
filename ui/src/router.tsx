import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react';

/** Hash routes (`#/settings/webhooks`): they work wherever the console is mounted, with no server rewrites. */
export function currentPath(): string {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash.startsWith('/')) return '/';
  return hash.split('?')[0] ?? '/';
}

export function useRoute(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return path;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = `#${path}`;
  if (options.replace) {
    window.history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = path;
  }
}

export function href(path: string): string {
  return `#${path}`;
}

interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
  current?: boolean;
}

export function Link({ to, current, onClick, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={href(to)}
      aria-current={current ? 'page' : undefined}
      onClick={(event: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(event);
      }}
    />
  );
}

export type Route =
  | { name: 'webhooks' }
  | { name: 'register' }
  | { name: 'webhook'; webhookId: string }
  | { name: 'edit'; webhookId: string }
  | { name: 'deliveries'; webhookId: string }
  | { name: 'event'; eventId: string }
  | { name: 'dlq' }
  | { name: 'event-types' }
  | { name: 'tenants' }
  | { name: 'not-found' };

export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'webhooks' };
  if (parts[0] === 'tenants' && parts.length === 1) return { name: 'tenants' };
  if (parts[0] !== 'settings') return { name: 'not-found' };
  const [, section, id, action] = parts;
  if (!section) return { name: 'webhooks' };
  if (section === 'dead-letter-queue' && !id) return { name: 'dlq' };
  if (section === 'event-types' && !id) return { name: 'event-types' };
  if (section === 'events' && id && !action) return { name: 'event', eventId: id };
  if (section === 'webhooks') {
    if (!id) return { name: 'webhooks' };
    if (id === 'new' && !action) return { name: 'register' };
    if (!action) return { name: 'webhook', webhookId: id };
    if (action === 'deliveries') return { name: 'deliveries', webhookId: id };
    if (action === 'edit') return { name: 'edit', webhookId: id };
  }
  return { name: 'not-found' };
}

export const paths = {
  webhooks: '/settings/webhooks',
  register: '/settings/webhooks/new',
  webhook: (webhookId: string) => `/settings/webhooks/${encodeURIComponent(webhookId)}`,
  edit: (webhookId: string) => `/settings/webhooks/${encodeURIComponent(webhookId)}/edit`,
  deliveries: (webhookId: string) => `/settings/webhooks/${encodeURIComponent(webhookId)}/deliveries`,
  event: (eventId: string) => `/settings/events/${encodeURIComponent(eventId)}`,
  dlq: '/settings/dead-letter-queue',
  eventTypes: '/settings/event-types',
  tenants: '/tenants',
};
