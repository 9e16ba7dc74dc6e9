/** A small typed client for Herald's API v1. Every call carries the session's bearer key. */

import type {
  CreateApiKeyBody,
  CreatedApiKey,
  CreateTenantBody,
  CreateWebhookBody,
  DeadLetter,
  DeadLetterFilter,
  DeadLetterPage,
  Delivery,
  DeliveryDetail,
  DeliveryFilter,
  DeliveryPage,
  DiscardDeadLettersBody,
  DiscardedDeadLetters,
  EventTimeline,
  EventType,
  List,
  Me,
  Page,
  PortalLink,
  PortalLinkBody,
  ReplayAllBody,
  ReplayedDeadLetter,
  ReplayedDeadLetters,
  ReplayPage,
  RotatedSecret,
  RotateSecretBody,
  Tenant,
  TestWebhookBody,
  UpdateTenantBody,
  UpdateWebhookBody,
  Webhook,
  WebhookSecret,
  WebhookStats,
} from './api-types';
import { connection } from './connection';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Codes with which the API refuses a portal-link token. */
export const PORTAL_ERROR_CODES = new Set(['PORTAL_LINK_EXPIRED', 'PORTAL_LINK_INVALID']);

/** The directory the app was loaded from (`/` when Herald serves it at the root). */
export const appRoot: URL = (() => {
  try {
    const here = new URL(import.meta.url);
    // Built: <root>/assets/index-*.js. Dev server: <root>/src/api.ts. Either way one level up.
    return new URL('../', here);
  } catch {
    return new URL('/', window.location.href);
  }
})();

const KEY_STORAGE = 'herald.key';
const PORTAL_STORAGE = 'herald.portal';

export const session = {
  key(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  isPortal(): boolean {
    return sessionStorage.getItem(PORTAL_STORAGE) === '1';
  },
  set(key: string, portal = false): void {
    sessionStorage.setItem(KEY_STORAGE, key);
    if (portal) sessionStorage.setItem(PORTAL_STORAGE, '1');
    else sessionStorage.removeItem(PORTAL_STORAGE);
  },
  clear(): void {
    sessionStorage.removeItem(KEY_STORAGE);
    sessionStorage.removeItem(PORTAL_STORAGE);
    sessionStorage.removeItem('herald.tenant');
  },
};

type AuthListener = (error: ApiError) => void;
let authListener: AuthListener | null = null;

/** Called whenever the API answers 401: the key is wrong, revoked or an expired portal link. */
export function onAuthFailure(listener: AuthListener | null): void {
  authListener = listener;
}

type Query = Record<string, string | number | null | undefined>;

const GATEWAY_FAILURES = new Set([502, 503, 504]);

async function request<T>(
  method: string,
  path: string,
  options: { body?: unknown; query?: Query; key?: string; silentAuth?: boolean } = {},
): Promise<T> {
  const url = new URL(path.replace(/^\//, ''), appRoot);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = options.key ?? session.key();
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body });
  } catch {
    const message = 'Herald could not be reached. Check your connection and try again.';
    connection.unreachable(message);
    throw new ApiError(0, 'NETWORK_ERROR', message);
  }
  // A proxy in front of Herald answers these when Herald itself is not there.
  if (GATEWAY_FAILURES.has(response.status)) {
    connection.unreachable(`Herald is not answering (HTTP ${response.status}).`);
  } else {
    connection.reached();
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    const apiError = new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `Herald answered ${response.status} ${response.statusText}.`,
    );
    if (response.status === 401 && !options.silentAuth) authListener?.(apiError);
    throw apiError;
  }
  return json as T;
}

const t = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`;
const id = encodeURIComponent;

export const api = {
  me: (key?: string) => request<Me>('GET', '/v1/me', { key, silentAuth: true }),

  listTenants: () => request<List<Tenant>>('GET', '/v1/tenants'),
  createTenant: (body: CreateTenantBody) => request<Tenant>('POST', '/v1/tenants', { body }),
  updateTenant: (tenantId: string, body: UpdateTenantBody) => request<Tenant>('PATCH', t(tenantId), { body }),
  createApiKey: (tenantId: string, name?: string) => {
    const body: CreateApiKeyBody = name ? { name } : {};
    return request<CreatedApiKey>('POST', `${t(tenantId)}/api-keys`, { body });
  },
  createPortalLink: (tenantId: string, expiresIn?: number) => {
    const body: PortalLinkBody = expiresIn ? { expiresIn } : {};
    return request<PortalLink>('POST', `${t(tenantId)}/portal-links`, { body });
  },

  eventTypes: () => request<List<EventType>>('GET', '/v1/event-types'),

  listWebhooks: (tenantId: string, cursor?: string | null) =>
    request<Page<Webhook>>('GET', `${t(tenantId)}/webhooks`, { query: { limit: 100, cursor } }),
  getWebhook: (tenantId: string, webhookId: string) =>
    request<Webhook>('GET', `${t(tenantId)}/webhooks/${id(webhookId)}`),
  createWebhook: (tenantId: string, body: CreateWebhookBody) =>
    request<Webhook>('POST', `${t(tenantId)}/webhooks`, { body }),
  updateWebhook: (tenantId: string, webhookId: string, body: UpdateWebhookBody) =>
    request<Webhook>('PATCH', `${t(tenantId)}/webhooks/${id(webhookId)}`, { body }),
  rotateSecret: (tenantId: string, webhookId: string, body: RotateSecretBody) =>
    request<RotatedSecret>('POST', `${t(tenantId)}/webhooks/${id(webhookId)}/rotate-secret`, { body }),
  revealSecret: (tenantId: string, webhookId: string) =>
    request<WebhookSecret>('GET', `${t(tenantId)}/webhooks/${id(webhookId)}/secret`),
  dropPreviousSecret: (tenantId: string, webhookId: string) =>
    request<Webhook>('DELETE', `${t(tenantId)}/webhooks/${id(webhookId)}/previous-secret`),
  deleteWebhook: (tenantId: string, webhookId: string) =>
    request<void>('DELETE', `${t(tenantId)}/webhooks/${id(webhookId)}`),
  /** Sends webhook.test, or the example of `eventType`. */
  testWebhook: (tenantId: string, webhookId: string, eventType?: string) => {
    const body: TestWebhookBody = eventType ? { eventType } : {};
    return request<Delivery>('POST', `${t(tenantId)}/webhooks/${id(webhookId)}/test`, { body });
  },
  listWebhookStats: (tenantId: string) => request<List<WebhookStats>>('GET', `${t(tenantId)}/webhook-stats`),
  getWebhookStats: (tenantId: string, webhookId: string) =>
    request<WebhookStats>('GET', `${t(tenantId)}/webhooks/${id(webhookId)}/stats`),

  listDeliveries: (
    tenantId: string,
    webhookId: string,
    filter: DeliveryFilter,
    cursor?: string | null,
    limit = 100,
  ) =>
    request<DeliveryPage>('GET', `${t(tenantId)}/webhooks/${id(webhookId)}/deliveries`, {
      query: { ...filter, cursor, limit },
    }),
  getEventTimeline: (tenantId: string, eventId: string) =>
    request<EventTimeline>('GET', `${t(tenantId)}/events/${id(eventId)}`),
  getDelivery: (tenantId: string, deliveryId: string) =>
    request<DeliveryDetail>('GET', `${t(tenantId)}/deliveries/${id(deliveryId)}`),
  resendDelivery: (tenantId: string, deliveryId: string) =>
    request<Delivery>('POST', `${t(tenantId)}/deliveries/${id(deliveryId)}/resend`),

  listDeadLetters: (tenantId: string, filter: DeadLetterFilter, cursor?: string | null, limit = 100) =>
    request<DeadLetterPage>('GET', `${t(tenantId)}/dlq`, { query: { ...filter, cursor, limit } }),
  getDeadLetter: (tenantId: string, deadLetterId: string) =>
    request<DeadLetter>('GET', `${t(tenantId)}/dlq/${id(deadLetterId)}`),
  deadLetterAttempts: (tenantId: string, deadLetterId: string) =>
    request<List<Delivery>>('GET', `${t(tenantId)}/dlq/${id(deadLetterId)}/attempts`),
  listReplays: (tenantId: string, webhookId?: string) =>
    request<ReplayPage>('GET', `${t(tenantId)}/dlq/replays`, { query: { webhookId, limit: 5 } }),
  replayDeadLetter: (tenantId: string, deadLetterId: string) =>
    request<ReplayedDeadLetter>('POST', `${t(tenantId)}/dlq/${id(deadLetterId)}/replay`),
  discardDeadLetter: (tenantId: string, deadLetterId: string) =>
    request<void>('DELETE', `${t(tenantId)}/dlq/${id(deadLetterId)}`),
  /** Replays the selection (ids, or every dead letter the filters match); with dryRun, only counts. */
  replayDeadLetters: (tenantId: string, body: ReplayAllBody) =>
    request<ReplayedDeadLetters>('POST', `${t(tenantId)}/dlq/replay-all`, { body }),
  discardDeadLetters: (tenantId: string, body: DiscardDeadLettersBody) =>
    request<DiscardedDeadLetters>('POST', `${t(tenantId)}/dlq/discard`, { body }),
};

connection.setProbe(() => request('GET', '/v1/me', { silentAuth: true }));

/** `whsec_` + base64 of 24 random bytes, as Standard Webhooks secrets look. */
export function generateSecret(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `whsec_${btoa(binary)}`;
}
