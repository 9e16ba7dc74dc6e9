/**
 * The API's shapes as the console sees them, derived from the schemas the server validates with, so the
 * two cannot drift: a changed schema fails `tsc -p ui` wherever the console uses it the old way.
 * Type-only imports: nothing of the server reaches the console's bundle.
 */
import type { Static } from '@sinclair/typebox';
import type * as access from '../../src/api/schemas/access';
import type * as deadLetters from '../../src/api/schemas/dead-letters';
import type * as deliveries from '../../src/api/schemas/deliveries';
import type * as eventTypes from '../../src/api/schemas/event-types';
import type * as shapes from '../../src/api/schemas/shapes';
import type * as tenants from '../../src/api/schemas/tenants';
import type * as webhooks from '../../src/api/schemas/webhooks';

export type Me = Static<typeof access.Me>;
export type Tenant = Static<typeof tenants.Tenant>;
export type CreateTenantBody = Static<typeof tenants.CreateTenant>;
export type UpdateTenantBody = Static<typeof tenants.UpdateTenant>;
export type TenantBranding = Static<typeof tenants.TenantBranding>;
export type CreateApiKeyBody = Static<typeof access.CreateApiKey>;
export type CreatedApiKey = Static<typeof access.CreatedApiKey>;
export type PortalLinkBody = Static<typeof access.PortalLinkRequest>;
export type PortalLink = Static<typeof access.PortalLink>;

export type EventType = Static<typeof eventTypes.EventType>;

export type Webhook = Static<typeof webhooks.Webhook>;
export type WebhookOrdering = Webhook['ordering'];
export type CreateWebhookBody = Static<typeof webhooks.CreateWebhook>;
export type UpdateWebhookBody = Static<typeof webhooks.UpdateWebhook>;
export type WebhookStats = Static<typeof webhooks.WebhookStats>;
export type TestWebhookBody = Static<typeof webhooks.TestWebhook>;
export type RotateSecretBody = Static<typeof webhooks.RotateSecret>;
export type RotatedSecret = Static<typeof webhooks.RotatedSecret>;
export type WebhookSecret = Static<typeof webhooks.WebhookSecret>;

export type Delivery = Static<typeof deliveries.Delivery>;
export type DeliveryStatus = Delivery['status'];
export type DeliveryTrigger = Delivery['trigger'];
export type DeliveryDetail = Static<typeof deliveries.DeliveryDetail>;
/** The filters of a webhook's history list (all but paging). */
export type DeliveryFilter = Omit<Static<typeof deliveries.DeliveryListQuery>, 'limit' | 'cursor'>;
/** A page of history with the total the filters match. */
export type DeliveryPage = Static<typeof deliveries.DeliveryPage>;
export type EventTimeline = Static<typeof deliveries.EventTimeline>;

/** `payload` is there when one dead letter is read, and in lists only on request. */
export type DeadLetter = Static<typeof deadLetters.DeadLetter>;
export type ReplayAllBody = Static<typeof deadLetters.ReplayAll>;

export type ReplayedDeadLetter = Static<typeof deadLetters.ReplayedDeadLetter>;
export type ReplayedDeadLetters = Static<typeof deadLetters.ReplayedDeadLetters>;
export type SkippedDeadLetters = Static<typeof deadLetters.SkippedDeadLetters>;
export type DeadLetterPage = Static<typeof deadLetters.DeadLetterPage>;
/** What selects dead letters in the list (and, with ids, in a replay or discard). */
export type DeadLetterFilter = Omit<Static<typeof deadLetters.DeadLetterQuery>, 'includePayload'>;
export type DiscardDeadLettersBody = Static<typeof deadLetters.DiscardDeadLetters>;
export type DiscardedDeadLetters = Static<typeof deadLetters.DiscardedDeadLetters>;
export type ReplayPage = Static<typeof deadLetters.ReplayPage>;

// TypeBox's Static of a generic schema function knows its items only as `unknown`: put the item type back.
type WithItems<Envelope extends { data: unknown[] }, Item> = Omit<Envelope, 'data'> & { data: Item[] };

/** One page of a cursor-paged list; `nextCursor` is `null` on the last. */
export type Page<Item> = WithItems<Static<ReturnType<typeof shapes.pageOf>>, Item>;
/** A list answered whole. */
export type List<Item> = WithItems<Static<ReturnType<typeof shapes.listOf>>, Item>;
