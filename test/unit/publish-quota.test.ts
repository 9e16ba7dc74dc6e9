import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../../src/api/auth.js';
import { PublishQuota } from '../../src/api/publish-quota.js';
import { type Limits, TenantLimitsCache } from '../../src/api/tenant-limits.js';
import { TokenBuckets } from '../../src/api/token-buckets.js';
import { ManualClock } from '../../src/core/clock.js';
import { HeraldError } from '../../src/core/errors.js';
import type { Tenant } from '../../src/core/types.js';

const T0 = Date.UTC(2025, 0, 15, 10, 30, 0);

describe('TokenBuckets', () => {
  it("starts full, with one second's worth, and refills at the rate", () => {
    const buckets = new TokenBuckets();
    assert.equal(buckets.waitMs('a', 10, 10, T0), 0);
    assert.equal(buckets.waitMs('a', 10, 11, T0), 0, 'more than the burst waits only for a full bucket');
    buckets.take('a', 10, 10, T0);
    assert.equal(buckets.waitMs('a', 10, 1, T0), 100);
    assert.equal(buckets.waitMs('a', 10, 3, T0 + 100), 200);
    assert.equal(buckets.waitMs('a', 10, 3, T0 + 300), 0);
    assert.equal(buckets.waitMs('b', 10, 10, T0), 0, 'each name has its own bucket');
  });

  it('holds no more than the burst however long it rests', () => {
    const buckets = new TokenBuckets();
    buckets.take('a', 10, 1, T0);
    buckets.take('a', 10, 10, T0 + 60_000);
    assert.equal(buckets.waitMs('a', 10, 1, T0 + 60_000), 100);
  });

  it('lets a cost over the burst into debt, repaid at the rate', () => {
    const buckets = new TokenBuckets();
    buckets.take('a', 10, 25, T0);
    assert.equal(buckets.waitMs('a', 10, 1, T0), 1_600, '15 tokens of debt and 1 to take');
    assert.equal(buckets.waitMs('a', 10, 25, T0 + 2_500), 0, 'a full bucket again');
  });

  it('drops the buckets that have filled up when the map grows', () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 1_100; i++) buckets.take(`old ${i}`, 10, 1, T0);
    assert.equal(buckets.size, 1_100, 'none full yet, none dropped');
    for (let i = 0; i < 1_100; i++) buckets.take(`new ${i}`, 10, 1, T0 + 1_000);
    assert.equal(buckets.size, 1_100, 'the old ones, full again, were dropped');
    assert.equal(buckets.waitMs('old 1', 10, 10, T0 + 1_000), 0);
    assert.equal(buckets.waitMs('new 1', 10, 10, T0 + 1_000), 100, 'the recent ones were kept');
  });
});

describe('PublishQuota', () => {
  const admin: Principal = { role: 'admin' };
  const tenant: Principal = { role: 'tenant', tenantId: 'tenant_a', expiresAt: null };
  const limits = (overrides: Partial<Limits>): Limits => ({
    maxWebhooks: 0,
    maxBatchEvents: 1_000,
    publishRate: 0,
    keyPublishRate: 0,
    ...overrides,
  });

  function setUp() {
    const clock = new ManualClock(T0);
    const quota = new PublishQuota(clock);
    const publish = (principal: Principal, key: string, events: number, tenantId = 'tenant_a') => ({
      tenantId,
      principal,
      authorization: `Bearer ${key}`,
      events,
    });
    return { clock, quota, publish };
  }

  /** The RATE_LIMITED error `charge` throws, failing the test when it does not. */
  function refusal(charge: () => void): HeraldError {
    try {
      charge();
    } catch (error) {
      assert.ok(error instanceof HeraldError);
      assert.equal(error.code, 'RATE_LIMITED');
      assert.equal(error.status, 429);
      return error;
    }
    assert.fail('the publish was allowed');
  }

  it("counts a batch as its events, against the tenant's rate whichever key publishes", () => {
    const { clock, quota, publish } = setUp();
    const rate = limits({ publishRate: 100 });
    quota.charge(publish(tenant, 'hk_one', 60), rate);
    quota.charge(publish(admin, 'hadm_admin', 40), rate);
    const refused = refusal(() => quota.charge(publish(tenant, 'hk_two', 1), rate));
    assert.equal(refused.retryAfterSeconds, 1);
    assert.match(refused.message, /Tenant tenant_a may publish 100 events a second/);
    assert.match(refused.message, /PATCH \/v1\/tenants\/tenant_a .*publishRate.*HERALD_TENANT_PUBLISH_RATE/);
    quota.charge(publish(tenant, 'hk_one', 1, 'tenant_b'), rate);
    clock.advance(10);
    quota.charge(publish(tenant, 'hk_one', 1), rate);
  });

  it("limits each tenant key on its own, never the admin's", () => {
    const { quota, publish } = setUp();
    const rate = limits({ keyPublishRate: 2 });
    quota.charge(publish(tenant, 'hk_one', 2), rate);
    const refused = refusal(() => quota.charge(publish(tenant, 'hk_one', 1), rate));
    assert.match(refused.message, /This API key of tenant tenant_a may publish 2 events a second/);
    assert.match(refused.message, /keyPublishRate.*HERALD_KEY_PUBLISH_RATE/);
    quota.charge(publish(tenant, 'hk_two', 2), rate);
    quota.charge(publish(admin, 'hadm_admin', 500), rate);
  });

  it('counts nothing for a refused publish', () => {
    const { clock, quota, publish } = setUp();
    const rate = limits({ publishRate: 10, keyPublishRate: 8 });
    quota.charge(publish(admin, 'hadm_admin', 5), rate);
    refusal(() => quota.charge(publish(tenant, 'hk_one', 8), rate));
    clock.advance(500);
    quota.charge(publish(tenant, 'hk_one', 8), rate);
  });

  it('answers the longest wait, in whole seconds and at least one', () => {
    const { clock, quota, publish } = setUp();
    const rate = limits({ publishRate: 10, keyPublishRate: 1 });
    quota.charge(publish(tenant, 'hk_one', 1), rate);
    clock.advance(100);
    quota.charge(publish(admin, 'hadm_admin', 100), rate);
    // The key waits 0.9 s; the tenant, 91 tokens short, 9.1 s.
    assert.equal(refusal(() => quota.charge(publish(tenant, 'hk_one', 1), rate)).retryAfterSeconds, 10);
    const fast = limits({ publishRate: 1_000 });
    quota.charge(publish(tenant, 'hk_one', 1_000, 'tenant_b'), fast);
    const refused = refusal(() => quota.charge(publish(tenant, 'hk_one', 1, 'tenant_b'), fast));
    assert.equal(refused.retryAfterSeconds, 1, 'a wait of 1 ms');
  });

  it('has no limit at 0', () => {
    const { quota, publish } = setUp();
    for (let i = 0; i < 100; i++) quota.charge(publish(tenant, 'hk_one', 1_000), limits({}));
  });
});

describe('TenantLimitsCache', () => {
  const defaults: Limits = {
    maxWebhooks: 1_000,
    maxBatchEvents: 1_000,
    publishRate: 1_000,
    keyPublishRate: 0,
  };

  function setUp() {
    const clock = new ManualClock(T0);
    const stored: Tenant = {
      id: 'tenant_a',
      name: 'A',
      createdAt: T0,
      limits: { publishRate: 5 },
      branding: {},
    };
    const directory = {
      reads: 0,
      fail: false,
      async getTenant(id: string) {
        this.reads += 1;
        if (this.fail) throw new HeraldError('SERVICE_UNAVAILABLE', 'The database is away.');
        return id === stored.id ? stored : null;
      },
    };
    return { clock, stored, directory, cache: new TenantLimitsCache(directory, defaults, clock) };
  }

  it("completes a tenant's own limits with the settings", async () => {
    const { cache } = setUp();
    assert.deepEqual(await cache.of('tenant_a'), { ...defaults, publishRate: 5 });
    assert.deepEqual(await cache.of('tenant_nope'), defaults);
  });

  it('reads a tenant again after a few seconds, or at once when told of a change', async () => {
    const { clock, stored, directory, cache } = setUp();
    await cache.of('tenant_a');
    stored.limits = { publishRate: 7 };
    clock.advance(4_999);
    assert.equal((await cache.of('tenant_a')).publishRate, 5);
    assert.equal(directory.reads, 1);
    clock.advance(1);
    assert.equal((await cache.of('tenant_a')).publishRate, 7);
    stored.limits = {};
    cache.forget('tenant_a');
    assert.equal((await cache.of('tenant_a')).publishRate, 1_000);
    assert.equal(directory.reads, 3);
  });

  it('keeps no failed read', async () => {
    const { directory, cache } = setUp();
    directory.fail = true;
    await assert.rejects(cache.of('tenant_a'), /database is away/);
    directory.fail = false;
    assert.equal((await cache.of('tenant_a')).publishRate, 5);
  });
});
