export {
  createHeraldClient,
  HeraldApiError,
  type HeraldClient,
  type HeraldClientOptions,
  type PublishedEvent,
} from './client.js';
export { type RetryOptions, retryAfterMs } from './retry.js';
export type { components, paths } from './schema.js';
export {
  type HeraldEvent,
  type VerifiedWebhook,
  type VerifyOptions,
  verifyWebhook,
  type WebhookHeaders,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './verify.js';
