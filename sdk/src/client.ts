import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { type RetryOptions, retryingFetch } from './retry.js';
import type { paths } from './schema.js';

type PublishOperation = paths['/v1/tenants/{tenantId}/events']['post'];
export type PublishedEvent = PublishOperation['responses'][202]['content']['application/json'];

export interface HeraldClientOptions {
  /** Where Herald answers, e.g. `https://herald.internal:8080`. */
  baseUrl: string;
  /** The admin key or a tenant's key, sent as `Authorization: Bearer`. */
  apiKey: string;
  /** The fetch to send with; the global one when left out. */
  fetch?: (request: Request) => Promise<Response>;
  /** How 429 and 503 answers are retried. */
  retry?: RetryOptions;
}

/** An error answer from Herald: `code` is the stable code of its `{"error":{"code","message"}}` body. */
export class HeraldApiError extends Error {
  override readonly name = 'HeraldApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function apiError(response: Response, body: unknown): HeraldApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
  const message = typeof error?.message === 'string' ? error.message : `Herald answered ${response.status}.`;
  return new HeraldApiError(response.status, code, message);
}

export type HeraldClient = Client<paths> & {
  /**
   * Publishes an event to a tenant's webhooks. `id` is the idempotency key: one is generated when
   * none is given, and the same one goes out on every retry, so a retried publish is delivered once.
   */
  publish(
    tenantId: string,
    event: string,
    data: Record<string, unknown>,
    options?: { id?: string },
  ): Promise<PublishedEvent>;
};

/** A client typed from Herald's OpenAPI document: `client.GET('/v1/tenants/{tenantId}/webhooks', ...)`. */
export function createHeraldClient(options: HeraldClientOptions): HeraldClient {
  const api = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    fetch: retryingFetch(options.fetch ?? ((request) => fetch(request)), options.retry),
  });
  return Object.assign(api, {
    async publish(
      tenantId: string,
      event: string,
      data: Record<string, unknown>,
      { id = `evt_${randomUUID()}` } = {},
    ) {
      const {
        data: published,
        error,
        response,
      } = await api.POST('/v1/tenants/{tenantId}/events', {
        params: { path: { tenantId } },
        body: { event, data, id },
      });
      if (published === undefined) throw apiError(response, error);
      return published;
    },
  });
}
