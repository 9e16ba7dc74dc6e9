import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigError,
  defaultTenantLimits,
  type HeraldConfig,
  loadConfig,
  SETTINGS,
} from '../../src/config.js';
import { parseEncryptionKey } from '../../src/core/secret-box.js';

const ADMIN_KEY = 'a-long-enough-admin-key';
const NEW_KEY = Buffer.alloc(32, 3).toString('base64');
const OLD_KEY = Buffer.alloc(32, 2).toString('base64');
const OLDER_KEY = Buffer.alloc(32, 1).toString('base64');

/** The problems loadConfig reports, failing the test when it does not throw a ConfigError. */
function problemsOf(env: Record<string, string | undefined>, flags: Record<string, string | undefined> = {}) {
  try {
    loadConfig(env, flags);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.name, 'ConfigError');
    for (const problem of error.problems) assert.ok(error.message.includes(problem), problem);
    return error.problems;
  }
  assert.fail('loadConfig accepted the configuration');
}

describe('loadConfig defaults', () => {
  it('fills every setting from its default', () => {
    const config = loadConfig({});
    assert.deepEqual(config, {
      port: 8080,
      host: '127.0.0.1',
      database: './data/herald.db',
      databasePoolSize: 10,
      adminKey: null,
      adminKeyPrevious: null,
      encryptionKey: null,
      previousEncryptionKeys: [],
      retrySchedule: [60_000, 300_000, 900_000],
      retryAfterCapMs: 3_600_000,
      disableAfterMs: 5 * 86_400_000,
      deliveryTimeoutMs: 10_000,
      allowNetworks: [],
      concurrency: 256,
      webhookConcurrency: 64,
      sendThreads: 1,
      pollIntervalMs: 1_000,
      retentionMs: 30 * 86_400_000,
      publicUrl: null,
      logLevel: 'info',
      metrics: 'admin',
      metricsPort: null,
      idempotencyWindowMs: 86_400_000,
      maxWebhooks: 1_000,
      maxBatchEvents: 1_000,
      publishRate: 1_000,
      keyPublishRate: 0,
    } satisfies HeraldConfig);
  });

  it('ignores variables outside the HERALD_ prefix', () => {
    const config = loadConfig({ PORT: '1', PATH: '/usr/bin', HERALDPORT: '2', herald_port: '3' });
    assert.equal(config.port, 8080);
  });

  it('treats an undefined variable as unset', () => {
    assert.equal(loadConfig({ HERALD_PORT: undefined }).port, 8080);
  });
});

describe('loadConfig from the environment', () => {
  it('parses every variable', () => {
    const config = loadConfig({
      HERALD_PORT: '9090',
      HERALD_HOST: ' 127.0.0.1 ',
      HERALD_DATABASE: 'postgres://herald@db/herald',
      HERALD_DATABASE_POOL_SIZE: '25',
      HERALD_ADMIN_KEY: ADMIN_KEY,
      HERALD_ADMIN_KEY_PREVIOUS: 'previous-admin-key-0123456789',
      HERALD_ENCRYPTION_KEY: NEW_KEY,
      HERALD_ENCRYPTION_KEY_PREVIOUS: ` ${OLD_KEY}, ${OLDER_KEY} `,
      HERALD_RETRY_SCHEDULE: '30s,2m,1.5h',
      HERALD_RETRY_AFTER_MAX: '10m',
      HERALD_DISABLE_AFTER: '1.5d',
      HERALD_DELIVERY_TIMEOUT: '2500ms',
      HERALD_ALLOW_NETWORKS: '10.1.0.0/16, fd00::/8',
      HERALD_CONCURRENCY: '64',
      HERALD_WEBHOOK_CONCURRENCY: '4',
      HERALD_SEND_THREADS: '2',
      HERALD_POLL_INTERVAL: '250ms',
      HERALD_RETENTION: '12h',
      HERALD_PUBLIC_URL: 'https://hooks.example.com/',
      HERALD_LOG_LEVEL: 'debug',
      HERALD_METRICS: 'public',
      HERALD_METRICS_PORT: '9464',
      HERALD_TENANT_MAX_WEBHOOKS: '50',
      HERALD_MAX_BATCH_EVENTS: '100',
      HERALD_TENANT_PUBLISH_RATE: '2000',
      HERALD_KEY_PUBLISH_RATE: '500',
      HERALD_IDEMPOTENCY_WINDOW: '2h',
    });
    assert.deepEqual(config, {
      port: 9090,
      host: '127.0.0.1',
      database: 'postgres://herald@db/herald',
      databasePoolSize: 25,
      adminKey: ADMIN_KEY,
      adminKeyPrevious: 'previous-admin-key-0123456789',
      encryptionKey: parseEncryptionKey(NEW_KEY),
      previousEncryptionKeys: [parseEncryptionKey(OLD_KEY), parseEncryptionKey(OLDER_KEY)],
      retrySchedule: [30_000, 120_000, 5_400_000],
      retryAfterCapMs: 600_000,
      disableAfterMs: 129_600_000,
      deliveryTimeoutMs: 2_500,
      allowNetworks: ['10.1.0.0/16', 'fd00::/8'],
      concurrency: 64,
      webhookConcurrency: 4,
      sendThreads: 2,
      pollIntervalMs: 250,
      retentionMs: 43_200_000,
      publicUrl: 'https://hooks.example.com',
      logLevel: 'debug',
      metrics: 'public',
      metricsPort: 9464,
      idempotencyWindowMs: 7_200_000,
      maxWebhooks: 50,
      maxBatchEvents: 100,
      publishRate: 2_000,
      keyPublishRate: 500,
    } satisfies HeraldConfig);
  });

  it('reads an empty retry schedule as no retries', () => {
    assert.deepEqual(loadConfig({ HERALD_RETRY_SCHEDULE: '' }).retrySchedule, []);
  });

  it('accepts port 0 (any free port) and 65535', () => {
    assert.equal(loadConfig({ HERALD_PORT: '0' }).port, 0);
    assert.equal(loadConfig({ HERALD_PORT: '65535' }).port, 65535);
  });

  it('parses allow networks, a bare address as a single host', () => {
    assert.deepEqual(loadConfig({ HERALD_ALLOW_NETWORKS: '192.168.1.0/24 10.0.0.7,::1' }).allowNetworks, [
      '192.168.1.0/24',
      '10.0.0.7/32',
      '::1/128',
    ]);
  });

  it('reads 0 as no limit for webhooks and publish rates, and hands the limits out together', () => {
    const config = loadConfig({
      HERALD_TENANT_MAX_WEBHOOKS: '0',
      HERALD_TENANT_PUBLISH_RATE: '0',
      HERALD_MAX_BATCH_EVENTS: '1',
    });
    assert.deepEqual(defaultTenantLimits(config), {
      maxWebhooks: 0,
      maxBatchEvents: 1,
      publishRate: 0,
      keyPublishRate: 0,
    });
  });

  it('refuses an encryption key that is not 32 bytes of base64, without repeating it', () => {
    for (const [env, value] of [
      [{ HERALD_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }, Buffer.alloc(16).toString('base64')],
      [{ HERALD_ENCRYPTION_KEY: 'not base64 at all but long enough!!!!!!!!!!' }, 'not base64'],
      [{ HERALD_ENCRYPTION_KEY_PREVIOUS: `${OLD_KEY},short` }, OLD_KEY],
    ] as const) {
      assert.throws(
        () => loadConfig(env),
        (error: Error) => /must be 32 bytes in base64/.test(error.message) && !error.message.includes(value),
      );
    }
  });

  it('accepts an admin key of exactly 16 characters', () => {
    assert.equal(loadConfig({ HERALD_ADMIN_KEY: '0123456789abcdef' }).adminKey, '0123456789abcdef');
  });

  it('holds the previous admin key to the same rule as the admin key', () => {
    assert.throws(() => loadConfig({ HERALD_ADMIN_KEY_PREVIOUS: 'too short' }), /HERALD_ADMIN_KEY_PREVIOUS/);
  });
});

describe('loadConfig flags', () => {
  it('lets flags win over the environment', () => {
    const config = loadConfig(
      {
        HERALD_PORT: '9090',
        HERALD_HOST: '127.0.0.1',
        HERALD_RETRY_SCHEDULE: '1s',
        HERALD_LOG_LEVEL: 'warn',
      },
      { port: '7070', 'retry-schedule': '2s,4s', 'admin-key': ADMIN_KEY },
    );
    assert.equal(config.port, 7070);
    assert.deepEqual(config.retrySchedule, [2_000, 4_000]);
    assert.equal(config.adminKey, ADMIN_KEY);
    assert.equal(config.host, '127.0.0.1', 'the environment still fills what no flag sets');
    assert.equal(config.logLevel, 'warn');
  });

  it('lets an undefined flag fall through to the environment', () => {
    assert.equal(loadConfig({ HERALD_PORT: '9090' }, { port: undefined }).port, 9090);
  });

  it('does not validate an environment value a flag overrides', () => {
    assert.equal(loadConfig({ HERALD_PORT: 'eighty' }, { port: '80' }).port, 80);
  });
});

describe('loadConfig problems', () => {
  const bad: [string, string, string][] = [
    ['HERALD_PORT', 'port', '70000'],
    ['HERALD_PORT', 'port', '80.5'],
    ['HERALD_PORT', 'port', '-1'],
    ['HERALD_PORT', 'port', 'http'],
    ['HERALD_HOST', 'host', '  '],
    ['HERALD_DATABASE', 'database', ''],
    ['HERALD_ADMIN_KEY', 'admin-key', 'short-key'],
    ['HERALD_RETRY_SCHEDULE', 'retry-schedule', '1m,5 minutes'],
    ['HERALD_DELIVERY_TIMEOUT', 'delivery-timeout', '10'],
    ['HERALD_DELIVERY_TIMEOUT', 'delivery-timeout', '0s'],
    ['HERALD_ALLOW_NETWORKS', 'allow-networks', '10.0.0.0/33'],
    ['HERALD_ALLOW_NETWORKS', 'allow-networks', 'example.com'],
    ['HERALD_CONCURRENCY', 'concurrency', '0'],
    ['HERALD_CONCURRENCY', 'concurrency', '100001'],
    ['HERALD_WEBHOOK_CONCURRENCY', 'webhook-concurrency', 'many'],
    ['HERALD_POLL_INTERVAL', 'poll-interval', '1w'],
    ['HERALD_PUBLIC_URL', 'public-url', 'hooks.example.com'],
    ['HERALD_LOG_LEVEL', 'log-level', 'verbose'],
    ['HERALD_METRICS', 'metrics', 'open'],
    ['HERALD_METRICS_PORT', 'metrics-port', '65536'],
    ['HERALD_TENANT_MAX_WEBHOOKS', 'tenant-max-webhooks', '-1'],
    ['HERALD_TENANT_MAX_WEBHOOKS', 'tenant-max-webhooks', '1000001'],
    ['HERALD_MAX_BATCH_EVENTS', 'max-batch-events', '0'],
    ['HERALD_MAX_BATCH_EVENTS', 'max-batch-events', '1001'],
    ['HERALD_TENANT_PUBLISH_RATE', 'tenant-publish-rate', '2.5'],
    ['HERALD_KEY_PUBLISH_RATE', 'key-publish-rate', 'fast'],
  ];

  for (const [variable, flag, value] of bad) {
    it(`refuses ${variable}=${JSON.stringify(value)} with one problem naming the variable`, () => {
      const problems = problemsOf({ [variable]: value });
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0]?.startsWith(`${variable}=${JSON.stringify(value)} `), problems[0]);
    });

    it(`refuses --${flag}=${JSON.stringify(value)} with one problem naming the flag`, () => {
      const problems = problemsOf({}, { [flag]: value });
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.ok(problems[0]?.startsWith(`--${flag}=${JSON.stringify(value)} `), problems[0]);
    });
  }

  it('names the bad part of a retry schedule', () => {
    const [problem] = problemsOf({ HERALD_RETRY_SCHEDULE: '1m,5x,15m' });
    assert.match(problem ?? '', /^HERALD_RETRY_SCHEDULE="1m,5x,15m" .*"5x" is not a duration/);
  });

  it('names only the flag, not the variable, for a bad --allow-networks', () => {
    const [problem = ''] = problemsOf({}, { 'allow-networks': '10.0.0.0/33' });
    assert.ok(problem.startsWith('--allow-networks="10.0.0.0/33" '), problem);
    assert.equal(problem.includes('HERALD_ALLOW_NETWORKS'), false, problem);
  });

  it('says what an admin key needs', () => {
    const [problem] = problemsOf({ HERALD_ADMIN_KEY: '0123456789abcde' });
    assert.match(
      problem ?? '',
      /^HERALD_ADMIN_KEY="0123456789abcde" must be at least 16 characters long, without spaces$/,
    );
    const [spaces] = problemsOf({ HERALD_ADMIN_KEY: ' '.repeat(20) });
    assert.match(spaces ?? '', /^HERALD_ADMIN_KEY=" {20}" must be at least 16 characters long/);
  });

  it('reports several problems together', () => {
    const problems = problemsOf({
      HERALD_PORT: 'http',
      HERALD_LOG_LEVEL: 'loud',
      HERALD_DELIVERY_TIMEOUT: 'forever',
      HERALD_PORTT: '8081',
    });
    assert.equal(problems.length, 4, problems.join('\n'));
    for (const name of ['HERALD_PORT=', 'HERALD_LOG_LEVEL=', 'HERALD_DELIVERY_TIMEOUT=', 'HERALD_PORTT ']) {
      assert.equal(problems.filter((problem) => problem.startsWith(name)).length, 1, name);
    }
  });

  it('reports a flag problem beside an environment problem', () => {
    const problems = problemsOf({ HERALD_CONCURRENCY: '0' }, { port: 'http' });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(problems.some((problem) => problem.startsWith('--port="http" ')));
    assert.ok(problems.some((problem) => problem.startsWith('HERALD_CONCURRENCY="0" ')));
  });

  it('refuses an unknown HERALD_ variable and lists the known ones', () => {
    const problems = problemsOf({ HERALD_PORTT: '8081' });
    assert.equal(problems.length, 1);
    const [problem = ''] = problems;
    assert.match(problem, /^HERALD_PORTT is not a Herald setting/);
    for (const s of SETTINGS) assert.ok(problem.includes(s.env), `${s.env} missing from: ${problem}`);
    assert.ok(problem.includes('HERALD_PORT,') || problem.endsWith('HERALD_PORT'), problem);
  });

  it('tolerates HERALD_TEST_* variables', () => {
    assert.equal(
      loadConfig({ HERALD_TEST_BACKENDS: 'sqlite,postgres', HERALD_TEST_ANYTHING: 'x' }).port,
      8080,
    );
  });

  it('tolerates HERALD_API_KEY, which the client commands read', () => {
    assert.equal(loadConfig({ HERALD_API_KEY: 'htk_anything' }).port, 8080);
  });

  it('refuses a variable that only resembles the test prefix', () => {
    const problems = problemsOf({ HERALD_TESTS: '1' });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^HERALD_TESTS is not a Herald setting/);
  });

  it('throws a ConfigError whose message lists each problem', () => {
    assert.throws(
      () => loadConfig({ HERALD_PORT: 'http', HERALD_LOG_LEVEL: 'loud' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /^Invalid configuration:\n {2}- HERALD_PORT="http" .*\n {2}- HERALD_LOG_LEVEL="loud" /,
        );
        return true;
      },
    );
  });
});
