import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { accentColorProblem } from '../../core/branding.js';
import { HeraldError, notFound } from '../../core/errors.js';
import { newId, newSecretToken } from '../../core/ids.js';
import { API_KEY_PREFIX, hashApiKey } from '../auth.js';
import type { RouteContext } from '../context.js';
import { presentApiKey, presentTenant } from '../presenters.js';
import { ApiKey, CreateApiKey, CreatedApiKey, Me, PortalLink, PortalLinkRequest } from '../schemas/access.js';
import { ErrorBody, listOf, TenantItemParams, TenantParams } from '../schemas/shapes.js';
import { CreateTenant, Tenant, UpdateTenant } from '../schemas/tenants.js';

const DEFAULT_PORTAL_LINK_SECONDS = 3600;

/** Random characters of a key shown in listings after `hk_`: enough to tell keys apart, far too few to guess one. */
const SHOWN_KEY_CHARACTERS = 6;

/** When a new key stops working: at `expiresAt`, or `expiresIn` seconds from now; null for never. */
function keyExpiry(body: { expiresAt?: string; expiresIn?: number }, now: number): number | null {
  if (body.expiresAt !== undefined && body.expiresIn !== undefined) {
    throw new HeraldError('VALIDATION_FAILED', 'Give expiresAt or expiresIn, not both.');
  }
  if (body.expiresIn !== undefined) return now + body.expiresIn * 1000;
  if (body.expiresAt === undefined) return null;
  const expiresAt = Date.parse(body.expiresAt);
  if (!(expiresAt > now)) throw new HeraldError('VALIDATION_FAILED', 'expiresAt must be in the future.');
  return expiresAt;
}

export const tenantRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (
  app,
  { directory, clock, auth, publicUrl, limits },
) => {
  app.get(
    '/me',
    {
      schema: {
        operationId: 'getMe',
        summary: "Who the key belongs to; for a tenant's key, the tenant's limits",
        tags: ['tenants'],
        response: { 200: Me },
      },
    },
    async (request) => {
      const { principal } = request;
      if (principal.role === 'admin') {
        return { role: 'admin' as const, tenantId: null, tenantName: null, branding: null, expiresAt: null };
      }
      const [effectiveLimits, tenant] = await Promise.all([
        limits.of(principal.tenantId),
        directory.getTenant(principal.tenantId),
      ]);
      // authenticate() has just found the tenant; one deleted since answers as a revoked key would.
      if (!tenant) throw notFound.tenant(principal.tenantId);
      return {
        role: 'tenant' as const,
        tenantId: principal.tenantId,
        tenantName: tenant.name,
        branding: tenant.branding,
        expiresAt: principal.expiresAt === null ? null : new Date(principal.expiresAt).toISOString(),
        effectiveLimits,
      };
    },
  );

  app.post(
    '/tenants',
    {
      schema: {
        operationId: 'createTenant',
        summary: 'Create a tenant (admin)',
        tags: ['tenants'],
        body: CreateTenant,
        response: { 201: Tenant, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      auth.requireAdmin(request.principal);
      const now = clock.now();
      const id = request.body.id ?? newId('tenant', now);
      const tenant = { id, name: request.body.name ?? id, createdAt: now, limits: {}, branding: {} };
      await directory.createTenant(tenant);
      return reply.status(201).send(presentTenant(tenant, limits.defaults));
    },
  );

  app.get(
    '/tenants',
    {
      schema: {
        operationId: 'listTenants',
        summary: 'List tenants (admin)',
        tags: ['tenants'],
        response: { 200: listOf(Tenant), 403: ErrorBody },
      },
    },
    async (request) => {
      auth.requireAdmin(request.principal);
      return {
        data: (await directory.listTenants()).map((tenant) => presentTenant(tenant, limits.defaults)),
      };
    },
  );

  app.get(
    '/tenants/:tenantId',
    {
      schema: {
        operationId: 'getTenant',
        summary: 'One tenant',
        tags: ['tenants'],
        params: TenantParams,
        response: { 200: Tenant },
      },
    },
    async (request) => {
      const tenant = await directory.getTenant(request.params.tenantId);
      // requireTenant has already answered 404 for a tenant that does not exist.
      return presentTenant(tenant as NonNullable<typeof tenant>, limits.defaults);
    },
  );

  app.patch(
    '/tenants/:tenantId',
    {
      schema: {
        operationId: 'updateTenant',
        summary:
          "Rename a tenant, set its own limits or its console's branding (admin); a limit or branding " +
          "field set to null follows Herald's own again",
        tags: ['tenants'],
        params: TenantParams,
        body: UpdateTenant,
        response: { 200: Tenant, 403: ErrorBody },
      },
    },
    async (request) => {
      auth.requireAdmin(request.principal);
      const { tenantId } = request.params;
      const accentColor = request.body.branding?.accentColor;
      const problem = accentColor ? accentColorProblem(accentColor) : null;
      if (problem) throw new HeraldError('VALIDATION_FAILED', `body.branding.accentColor: ${problem}.`);
      const tenant = await directory.updateTenant(tenantId, request.body);
      if (!tenant) throw notFound.tenant(tenantId);
      limits.forget(tenantId);
      return presentTenant(tenant, limits.defaults);
    },
  );

  app.delete(
    '/tenants/:tenantId',
    {
      schema: {
        operationId: 'deleteTenant',
        summary:
          'Delete a tenant with its webhooks, API keys and history (admin); gone at once, its rows purged ' +
          'in the background',
        tags: ['tenants'],
        params: TenantParams,
        response: { 204: Type.Null(), 403: ErrorBody },
      },
    },
    async (request, reply) => {
      auth.requireAdmin(request.principal);
      const { tenantId } = request.params;
      if (!(await directory.deleteTenant(tenantId))) throw notFound.tenant(tenantId);
      limits.forget(tenantId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tenants/:tenantId/api-keys',
    {
      schema: {
        operationId: 'createApiKey',
        summary: 'Create a tenant API key (admin); the key is shown once, Herald keeps only its hash',
        tags: ['tenants'],
        params: TenantParams,
        body: CreateApiKey,
        response: { 201: CreatedApiKey, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      auth.requireAdmin(request.principal);
      const now = clock.now();
      const key = newSecretToken(API_KEY_PREFIX, 32);
      const record = {
        id: newId('key', now),
        tenantId: request.params.tenantId,
        name: request.body.name ?? '',
        prefix: key.slice(0, API_KEY_PREFIX.length + SHOWN_KEY_CHARACTERS),
        createdAt: now,
        expiresAt: keyExpiry(request.body, now),
      };
      await directory.createApiKey(record, hashApiKey(key));
      return reply.status(201).send({ ...presentApiKey({ ...record, lastUsedAt: null }), key });
    },
  );

  app.get(
    '/tenants/:tenantId/api-keys',
    {
      schema: {
        operationId: 'listApiKeys',
        summary: "A tenant's API keys, oldest first (admin); never the keys themselves",
        tags: ['tenants'],
        params: TenantParams,
        response: { 200: listOf(ApiKey), 403: ErrorBody },
      },
    },
    async (request) => {
      auth.requireAdmin(request.principal);
      return { data: (await directory.listApiKeys(request.params.tenantId)).map(presentApiKey) };
    },
  );

  app.delete(
    '/tenants/:tenantId/api-keys/:id',
    {
      schema: {
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key (admin): refused from this moment, in every Herald process',
        tags: ['tenants'],
        params: TenantItemParams,
        response: { 204: Type.Null(), 403: ErrorBody },
      },
    },
    async (request, reply) => {
      auth.requireAdmin(request.principal);
      const { tenantId, id } = request.params;
      if (!(await directory.revokeApiKey(tenantId, id))) throw notFound.apiKey(id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tenants/:tenantId/portal-links',
    {
      schema: {
        operationId: 'createPortalLink',
        summary: "A link that signs a browser into this tenant's console until it expires (admin)",
        tags: ['tenants'],
        params: TenantParams,
        body: PortalLinkRequest,
        response: { 201: PortalLink, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      auth.requireAdmin(request.principal);
      const seconds = request.body.expiresIn ?? DEFAULT_PORTAL_LINK_SECONDS;
      const expiresAt = (Math.floor(clock.now() / 1000) + seconds) * 1000;
      const token = auth.issuePortalToken(request.params.tenantId, expiresAt);
      const base = publicUrl();
      if (base === null) {
        throw new HeraldError(
          'PUBLIC_URL_REQUIRED',
          'Set HERALD_PUBLIC_URL to the address people reach Herald at: portal links are built from it, ' +
            "never from the request's Host header.",
        );
      }
      return reply
        .status(201)
        .send({ url: `${base}/portal#token=${token}`, expiresAt: new Date(expiresAt).toISOString() });
    },
  );
};
