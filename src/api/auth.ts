import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { HeraldError, notFound } from '../core/errors.js';
import type { ApiKey } from '../core/types.js';
import type { TenantDirectory } from '../store/store.js';
import { SharedReads } from './shared-reads.js';

/** `expiresAt`: when the key or portal link stops working (epoch ms), null for never. */
export type Principal = { role: 'admin' } | { role: 'tenant'; tenantId: string; expiresAt: number | null };

export const API_KEY_PREFIX = 'hk_';
const PORTAL_TOKEN_PREFIX = 'hpl_';

/** One-shot: several times cheaper than a Hash object for a key's few bytes, and it runs per request. */
export function hashApiKey(key: string): string {
  return hash('sha256', key);
}

/** The key or token of an `Authorization: Bearer …` header; undefined when it has none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/** A hex hash as bytes, for timingSafeEqual: every SHA-256 one is the same length. */
function hashBytes(hexHash: string): Buffer {
  return Buffer.from(hexHash, 'latin1');
}

function digest(secret: string): Buffer {
  return hashBytes(hashApiKey(secret));
}

/** Compared as digests in constant time, so neither content nor length leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Most keys, and tenants, remembered at once; past it the memory starts afresh. */
const KNOWN_LIMIT = 10_000;

/**
 * How long a remembered key or tenant is trusted without asking the store again. Revocations and
 * tenant deletes are announced (onCredentialsChanged) and forgotten at once; this bounds the
 * staleness when an announcement cannot arrive (SQLite shared by processes, a dropped LISTEN).
 */
export const RECHECK_AFTER_MS = 1_000;

/** A key's last use is written at most this often per key and process: not a write per request. */
export const LAST_USED_EVERY_MS = 60_000;

/** A tenant API key as last read from the store. */
interface KnownKey {
  id: string;
  tenantId: string;
  expiresAt: number | null;
  checkedAt: number;
  lastUsedAt: number;
}

const unauthorized = () =>
  new HeraldError('UNAUTHORIZED', 'Send a valid API key as "Authorization: Bearer <key>".');

const PORTAL_LINK_LABEL = 'herald portal links v1';

/**
 * Who is calling: the admin key (or, during a rotation, the previous one), a tenant API key (stored
 * only as its SHA-256), or a portal link token (an HMAC-signed tenant id and expiry, so no storage
 * and no revocation list; it dies with its tenant).
 */
export class Authenticator {
  /** Signs new portal links; the previous admin key's, while it is accepted, still verifies old ones. */
  private readonly portalKeys: Buffer[];
  private readonly adminDigests: Buffer[];
  /** API key hash → the key, so a busy client costs one hash and no query per request. */
  private readonly knownKeys = new Map<string, KnownKey>();
  /** Tenants that exist → when that was last read. */
  private readonly knownTenants = new Map<string, number>();
  private readonly keyReads = new SharedReads<ApiKey | null>();
  private readonly tenantReads = new SharedReads<boolean>();

  constructor(
    private readonly tenants: Pick<
      TenantDirectory,
      'findApiKeyByHash' | 'getTenant' | 'touchApiKey' | 'onCredentialsChanged'
    >,
    adminKey: string,
    private readonly clock: Clock,
    /** HERALD_ADMIN_KEY_PREVIOUS: still accepted while clients move to the new key. */
    previousAdminKey: string | null = null,
  ) {
    const adminKeys = previousAdminKey ? [adminKey, previousAdminKey] : [adminKey];
    this.adminDigests = adminKeys.map(digest);
    // Derived from the admin key: retiring an admin key revokes every portal link it signed.
    this.portalKeys = adminKeys.map((key) => createHmac('sha256', key).update(PORTAL_LINK_LABEL).digest());
    tenants.onCredentialsChanged(() => {
      this.knownKeys.clear();
      this.knownTenants.clear();
      this.keyReads.forget();
      this.tenantReads.forget();
    });
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const key = bearerToken(authorization);
    if (!key) throw unauthorized();
    if (key.startsWith(PORTAL_TOKEN_PREFIX)) return this.verifyPortalToken(key);
    const keyHash = hashApiKey(key);
    const keyDigest = hashBytes(keyHash);
    // Every admin digest is compared, so timing does not tell which one matched.
    const admin = this.adminDigests.map((adminDigest) => timingSafeEqual(keyDigest, adminDigest));
    if (admin.includes(true)) return { role: 'admin' };
    const now = this.clock.now();
    const known = await this.tenantKey(keyHash, now);
    if (known.expiresAt !== null && known.expiresAt <= now) {
      throw new HeraldError('UNAUTHORIZED', 'This API key has expired. Ask an admin for a new key.');
    }
    if (now - known.lastUsedAt >= LAST_USED_EVERY_MS) {
      known.lastUsedAt = now;
      // A hint for people, not worth failing a request for; the next try comes a minute later.
      this.tenants.touchApiKey(known.id, now).catch(() => undefined);
    }
    return { role: 'tenant', tenantId: known.tenantId, expiresAt: known.expiresAt };
  }

  /** The remembered key, read again from the store once RECHECK_AFTER_MS has passed. */
  private async tenantKey(keyHash: string, now: number): Promise<KnownKey> {
    const known = this.knownKeys.get(keyHash);
    if (known && now - known.checkedAt < RECHECK_AFTER_MS) return known;
    const stored = await this.keyReads.read(keyHash, () => this.tenants.findApiKeyByHash(keyHash));
    if (!stored) {
      this.knownKeys.delete(keyHash);
      throw unauthorized();
    }
    const fresh: KnownKey = {
      id: stored.id,
      tenantId: stored.tenantId,
      expiresAt: stored.expiresAt,
      checkedAt: now,
      lastUsedAt: Math.max(known?.lastUsedAt ?? 0, stored.lastUsedAt ?? 0),
    };
    if (this.knownKeys.size >= KNOWN_LIMIT) this.knownKeys.clear();
    this.knownKeys.set(keyHash, fresh);
    return fresh;
  }

  /** Whether the tenant exists, read again from the store once RECHECK_AFTER_MS has passed. */
  private async tenantExists(tenantId: string): Promise<boolean> {
    const now = this.clock.now();
    const checkedAt = this.knownTenants.get(tenantId);
    if (checkedAt !== undefined && now - checkedAt < RECHECK_AFTER_MS) return true;
    const exists = await this.tenantReads.read(
      tenantId,
      async () => (await this.tenants.getTenant(tenantId)) !== null,
    );
    if (!exists) {
      this.knownTenants.delete(tenantId);
      return false;
    }
    if (this.knownTenants.size >= KNOWN_LIMIT) this.knownTenants.clear();
    this.knownTenants.set(tenantId, now);
    return true;
  }

  issuePortalToken(tenantId: string, expiresAt: number): string {
    const body = Buffer.from(JSON.stringify({ t: tenantId, exp: Math.floor(expiresAt / 1000) })).toString(
      'base64url',
    );
    return `${PORTAL_TOKEN_PREFIX}${body}.${this.portalSignature(body)}`;
  }

  private portalSignature(body: string, portalKey = this.portalKeys[0] as Buffer): string {
    return createHmac('sha256', portalKey).update(body).digest('base64url');
  }

  private async verifyPortalToken(token: string): Promise<Principal> {
    const invalid = new HeraldError(
      'PORTAL_LINK_INVALID',
      'This portal link is not valid. Ask for a new link to the webhooks console.',
    );
    const parts = token.slice(PORTAL_TOKEN_PREFIX.length).split('.');
    const [body, signature] = parts;
    if (
      parts.length !== 2 ||
      !body ||
      !signature ||
      !this.portalKeys.some((portalKey) => sameSecret(signature, this.portalSignature(body, portalKey)))
    ) {
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
    if (!(await this.tenantExists(claims.t))) throw invalid;
    return { role: 'tenant', tenantId: claims.t, expiresAt: claims.exp * 1000 };
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
    if (!(await this.tenantExists(tenantId))) throw notFound.tenant(tenantId);
  }
}
