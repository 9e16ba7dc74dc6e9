import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { HeraldError, notFound } from '../core/errors.js';
import type { TenantDirectory } from '../store/store.js';

export type Principal = { role: 'admin' } | { role: 'tenant'; tenantId: string };

export const API_KEY_PREFIX = 'hk_';
const PORTAL_TOKEN_PREFIX = 'hpl_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The key or token of an `Authorization: Bearer …` header; undefined when it has none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Compared as digests in constant time, so neither content nor length leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Keys seen on recent requests (tenants and keys are never deleted, so a hit stays true). */
const KNOWN_KEYS_LIMIT = 10_000;

const unauthorized = () =>
  new HeraldError('UNAUTHORIZED', 'Send a valid API key as "Authorization: Bearer <key>".');

/**
 * Who is calling: the admin key, a tenant API key (stored only as its SHA-256), or a portal link
 * token (an HMAC-signed tenant id and expiry, so no storage and no revocation list).
 */
export class Authenticator {
  private readonly portalKey: Buffer;
  private readonly adminDigest: Buffer;
  /** API key hash → tenant, so a busy client costs one hash and no query per request. */
  private readonly knownKeys = new Map<string, string>();
  /** Tenants the admin key has addressed that exist. */
  private readonly knownTenants = new Set<string>();

  constructor(
    private readonly tenants: Pick<TenantDirectory, 'findApiKeyByHash' | 'getTenant'>,
    adminKey: string,
    private readonly clock: Clock,
  ) {
    this.adminDigest = digest(adminKey);
    // Derived from the admin key: rotating the admin key revokes every portal link.
    this.portalKey = createHmac('sha256', adminKey).update('herald portal links v1').digest();
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const key = bearerToken(authorization);
    if (!key) throw unauthorized();
    if (key.startsWith(PORTAL_TOKEN_PREFIX)) return this.verifyPortalToken(key);
    const keyDigest = digest(key);
    if (timingSafeEqual(keyDigest, this.adminDigest)) return { role: 'admin' };
    const keyHash = keyDigest.toString('hex');
    let tenantId = this.knownKeys.get(keyHash);
    if (tenantId === undefined) {
      tenantId = (await this.tenants.findApiKeyByHash(keyHash))?.tenantId;
      if (tenantId === undefined) throw unauthorized();
      if (this.knownKeys.size >= KNOWN_KEYS_LIMIT) this.knownKeys.clear();
      this.knownKeys.set(keyHash, tenantId);
    }
    return { role: 'tenant', tenantId };
  }

  issuePortalToken(tenantId: string, expiresAt: number): string {
    const body = Buffer.from(JSON.stringify({ t: tenantId, exp: Math.floor(expiresAt / 1000) })).toString(
      'base64url',
    );
    return `${PORTAL_TOKEN_PREFIX}${body}.${this.portalSignature(body)}`;
  }

  private portalSignature(body: string): string {
    return createHmac('sha256', this.portalKey).update(body).digest('base64url');
  }

  private verifyPortalToken(token: string): Principal {
    const invalid = new HeraldError(
      'PORTAL_LINK_INVALID',
      'This portal link is not valid. Ask for a new link to the webhooks console.',
    );
    const parts = token.slice(PORTAL_TOKEN_PREFIX.length).split('.');
    const [body, signature] = parts;
    if (parts.length !== 2 || !body || !signature || !sameSecret(signature, this.portalSignature(body))) {
      throw invalid;
    }
    let claims: { t?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid;
    }
    if (typeof claims.t !== 'string' || typeof claims.exp !== 'number') throw invalid;
    if (claims.exp * 1000 <= this.clock.now()) {
      throw new HeraldError(
        'PORTAL_LINK_EXPIRED',
        'This portal link has expired. Ask for a new link to the webhooks console.',
      );
    }
    return { role: 'tenant', tenantId: claims.t };
  }

  requireAdmin(principal: Principal): void {
    if (principal.role !== 'admin') {
      throw new HeraldError('ADMIN_KEY_REQUIRED', 'Only the admin key may do this.');
    }
  }

  /** Another tenant's resources answer 404 exactly as absent ones do: nothing leaks across tenants. */
  async requireTenant(principal: Principal, tenantId: string): Promise<void> {
    if (principal.role === 'tenant') {
      if (principal.tenantId !== tenantId) throw notFound.tenant(tenantId);
      return;
    }
    if (this.knownTenants.has(tenantId)) return;
    if (!(await this.tenants.getTenant(tenantId))) throw notFound.tenant(tenantId);
    if (this.knownTenants.size >= KNOWN_KEYS_LIMIT) this.knownTenants.clear();
    this.knownTenants.add(tenantId);
  }
}
