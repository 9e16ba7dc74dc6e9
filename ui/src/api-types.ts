/**
 * The API's shapes as the console sees them, derived from the schemas the server validates with, so the
 * two cannot drift: a changed schema fails `tsc -p ui` wherever the console uses it the old way.
 * Type-only imports: nothing of the server reaches the console's bundle.
 */
import type { Static } from '@sinclair/typebox';
import type * as schemas from '../../src/api/schemas';

export type Me = Static<typeof schemas.Me>;
export type Tenant = Static<typeof schemas.Tenant>;
export type CreateTenantBody = Static<typeof schemas.CreateTenant>;
export type UpdateTenantBody = Static<typeof schemas.UpdateTenant>;
export type TenantBranding = Static<typeof schemas.TenantBranding>;
export type CreateApiKeyBody = Static<typeof schemas.CreateApiKey>;
export type CreatedApiKey = Static<typeof schemas.CreatedApiKey>;
export type PortalLinkBody = Static<typeof schemas.PortalLinkRequest>;
export type PortalLink = Static<typeof schemas.PortalLink>;

export type EventType = Static<typeof schemas.EventType>;

export type Webhook = Static<typeof schemas.Webhook>;
export type WebhookOrdering = Webhook['ordering'];
export type CreateWebhookBody = Static<typeof schemas.CreateWebhook>;
export type UpdateWebhookBody = Static<typeof schemas.UpdateWebhook>;
export type WebhookStats = Static<typeof schemas.WebhookStats>;
export type TestWebhookBody = Static<typeof schemas.TestWebhook>;
export type RotateSecretBody = Static<typeof schemas.RotateSecret>;
export type RotatedSecret = Static<typeof schemas.RotatedSecret>;
export type WebhookSecret = Static<typeof schemas.WebhookSecret>;

export type Delivery = Static<typeof schemas.Delivery>;
export type DeliveryStatus = Delivery['status'];
export type DeliveryTrigger = Delivery['trigger'];
export type DeliveryDetail = Static<typeof schemas.DeliveryDetail>;
/** The filters of a webhook's history list (all but paging). */
export type DeliveryFilter = Omit<Static<typeof schemas.DeliveryListQuery>, 'limit' | 'cursor'>;
/** A page of history with the total the filters match. */
export type DeliveryPage = Static<typeof schemas.DeliveryPage>;
export type EventTimeline = Static<typeof schemas.EventTimeline>;

/** `payload` is there when one dead letter is read, and in lists only on request. */
export type DeadLetter = Static<typeof schemas.DeadLetter>;
export type ReplayAllBody = Static<typeof schemas.ReplayAll>;

export type ReplayedDeadLetter = Static<typeof schemas.ReplayedDeadLetter>;
export type ReplayedDeadLetters = Static<typeof schemas.ReplayedDeadLetters>;
export type SkippedDeadLetters = Static<typeof schemas.SkippedDeadLetters>;
export type DeadLetterPage = Static<typeof schemas.DeadLetterPage>;
/** What selects dead letters in the list (and, with ids, in a replay or discard). */
export type DeadLetterFilter = Omit<Static<typeof schemas.DeadLetterQuery>, 'includePayload'>;
export type DiscardDeadLettersBody = Static<typeof schemas.DiscardDeadLetters>;
export type DiscardedDeadLetters = Static<typeof schemas.DiscardedDeadLetters>;
export type ReplayPage = Static<typeof schemas.ReplayPage>;

// TypeBox's Static of a generic schema function knows its items only as `unknown`: put the item type back.
type WithItems<Envelope extends { data: unknown[] }, Item> = Omit<Envelope, 'data'> & { data: Item[] };

/** One page of a cursor-paged list; `nextCursor` is `null` on the last. */
export type Page<Item> = WithItems<Static<ReturnType<typeof schemas.pageOf>>, Item>;
/** A list answered whole. */
export type List<Item> = WithItems<Static<ReturnType<typeof schemas.listOf>>, Item>;
