import { type Static, Type } from '@sinclair/typebox';
import { MAX_BATCH_EVENTS, MAX_QUOTA } from '../../core/tenant-limits.js';
import { Nullable, Text, Timestamp } from './shapes.js';

/** A tenant, its limits and its branding. */

export const TENANT_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const TenantId = Type.String({
  pattern: TENANT_ID_PATTERN,
  description: 'Letters, digits, `_` and `-`, at most 64',
  examples: ['tenant_abc123'],
});

const MaxWebhooks = Type.Integer({
  minimum: 0,
  maximum: MAX_QUOTA,
  description: 'Webhooks the tenant may have; 0: no limit',
});
const MaxBatchEvents = Type.Integer({
  minimum: 1,
  maximum: MAX_BATCH_EVENTS,
  description: 'Events one batch publish may carry',
});
const PublishRate = Type.Integer({
  minimum: 0,
  maximum: MAX_QUOTA,
  description:
    'Events a second the tenant may publish to each API process, whichever key (the admin key too); ' +
    'bursts up to one second worth; 0: no limit',
});
const KeyPublishRate = Type.Integer({
  minimum: 0,
  maximum: MAX_QUOTA,
  description: "Events a second each of the tenant's API keys may publish to each API process; 0: no limit",
});

export const EffectiveLimits = Type.Object(
  {
    maxWebhooks: MaxWebhooks,
    maxBatchEvents: MaxBatchEvents,
    publishRate: PublishRate,
    keyPublishRate: KeyPublishRate,
  },
  { description: "The limits in force: the tenant's own, else the installation's settings" },
);

export const ACCENT_COLOR_PATTERN = '^#[0-9a-fA-F]{6}$';
const AccentColor = Type.String({
  pattern: ACCENT_COLOR_PATTERN,
  description:
    'Buttons, links and the current page in the console, as `#rrggbb`; 4.5:1 against white at least',
  examples: ['#0f5bd8'],
});
/** Up to 64 KB: a data URL keeps the logo inside Herald, so the console loads nothing from another host. */
export const MAX_LOGO_URL_LENGTH = 65_536;
export const LOGO_URL_PATTERN =
  '^(https://[^\\s]+|data:image/(png|jpeg|gif|webp|svg\\+xml);base64,[A-Za-z0-9+/=]+)$';
const LogoUrl = Type.String({
  maxLength: MAX_LOGO_URL_LENGTH,
  pattern: LOGO_URL_PATTERN,
  description: 'The logo shown in the console header: an https URL, or a `data:image/…;base64,` URL',
});
const ProductName = Text({
  minLength: 1,
  maxLength: 60,
  description: 'Shown in the header and the tab title instead of "Herald"',
  examples: ['Acme Analytics'],
});

export const TenantBranding = Type.Object(
  {
    accentColor: Type.Optional(AccentColor),
    logoUrl: Type.Optional(LogoUrl),
    productName: Type.Optional(ProductName),
  },
  {
    $id: 'TenantBranding',
    description:
      "How the console looks to the tenant's own people (its API keys and portal links); each left out keeps Herald's",
  },
);

export const Tenant = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    createdAt: Timestamp,
    limits: Type.Partial(EffectiveLimits, {
      description: 'The limits the admin set for this tenant; the others follow the settings',
    }),
    effectiveLimits: EffectiveLimits,
    branding: TenantBranding,
  },
  { $id: 'Tenant' },
);

export const CreateTenant = Type.Object(
  { id: Type.Optional(TenantId), name: Type.Optional(Text({ maxLength: 200 })) },
  { $id: 'CreateTenant', additionalProperties: false },
);

export const UpdateTenant = Type.Object(
  {
    name: Type.Optional(Text({ maxLength: 200 })),
    limits: Type.Optional(
      Type.Object(
        {
          maxWebhooks: Type.Optional(Nullable(MaxWebhooks)),
          maxBatchEvents: Type.Optional(Nullable(MaxBatchEvents)),
          publishRate: Type.Optional(Nullable(PublishRate)),
          keyPublishRate: Type.Optional(Nullable(KeyPublishRate)),
        },
        {
          additionalProperties: false,
          description: "The tenant's own limits to set; null returns one to the setting, one left out stays",
        },
      ),
    ),
    branding: Type.Optional(
      Type.Object(
        {
          accentColor: Type.Optional(Nullable(AccentColor)),
          logoUrl: Type.Optional(Nullable(LogoUrl)),
          productName: Type.Optional(Nullable(ProductName)),
        },
        {
          additionalProperties: false,
          description: "Branding to set; null returns one to Herald's own, one left out stays",
        },
      ),
    ),
  },
  { $id: 'UpdateTenant', additionalProperties: false, minProperties: 1 },
);

export type TenantT = Static<typeof Tenant>;
