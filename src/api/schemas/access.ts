import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OneOfStrings, Text, Timestamp } from './shapes.js';
import { EffectiveLimits, TenantBranding } from './tenants.js';

/** Who may call the API: tenants' API keys, portal links, and what a caller learns of itself. */

export const CreateApiKey = Type.Object(
  {
    name: Type.Optional(Text({ maxLength: 200 })),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the key stops working (not with expiresIn)' }),
    ),
    expiresIn: Type.Optional(
      Type.Integer({ minimum: 60, description: 'Seconds until the key stops working (not with expiresAt)' }),
    ),
  },
  { $id: 'CreateApiKey', additionalProperties: false },
);

const apiKeyFields = {
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  prefix: Nullable(Type.String({ description: "The key's first characters, to tell keys apart" })),
  createdAt: Timestamp,
  expiresAt: Nullable(Type.String({ format: 'date-time', description: 'Null: never expires' })),
};

export const ApiKey = Type.Object(
  {
    ...apiKeyFields,
    lastUsedAt: Nullable(
      Type.String({ format: 'date-time', description: 'Updated at most once a minute; null: never used' }),
    ),
  },
  { $id: 'ApiKey' },
);

export const CreatedApiKey = Type.Object(
  {
    ...apiKeyFields,
    key: Type.String({ description: 'Shown once; Herald keeps only its hash' }),
  },
  { $id: 'CreatedApiKey' },
);

export const PortalLinkRequest = Type.Object(
  {
    expiresIn: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 7 * 24 * 3600,
        description: 'Seconds until the link expires (default 3600)',
      }),
    ),
  },
  { $id: 'PortalLinkRequest', additionalProperties: false },
);

export const PortalLink = Type.Object({ url: Type.String(), expiresAt: Timestamp }, { $id: 'PortalLink' });

export const Me = Type.Object(
  {
    role: OneOfStrings(['admin', 'tenant']),
    tenantId: Nullable(Type.String()),
    tenantName: Nullable(Type.String({ description: "The tenant's name; null for the admin" })),
    branding: Nullable(TenantBranding),
    expiresAt: Nullable({
      ...Timestamp,
      description: 'When this key or portal link stops working; null when it does not expire',
    }),
    effectiveLimits: Type.Optional(EffectiveLimits),
  },
  { $id: 'Me' },
);

export type ApiKeyT = Static<typeof ApiKey>;
