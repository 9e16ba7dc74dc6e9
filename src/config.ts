import { parseAllowList } from './core/cidr.js';
import { parseDuration } from './core/duration.js';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, type RetrySchedule } from './core/retry-policy.js';
import { type EncryptionKey, parseEncryptionKey } from './core/secret-box.js';
import { MAX_BATCH_EVENTS, MAX_QUOTA, TENANT_LIMIT_SETTINGS } from './core/tenant-limits.js';
import type { TenantLimits } from './core/types.js';

export interface HeraldConfig {
  port: number;
  host: string;
  database: string;
  databasePoolSize: number;
  adminKey: string | null;
  adminKeyPrevious: string | null;
  /** Seals webhook secrets; null: the key generated beside the SQLite database. */
  encryptionKey: EncryptionKey | null;
  /** Keys secrets may still be sealed under, while `herald rotate-key` seals them again. */
  previousEncryptionKeys: EncryptionKey[];
  retrySchedule: RetrySchedule;
  retryAfterCapMs: number;
  disableAfterMs: number;
  deliveryTimeoutMs: number;
  allowNetworks: string[];
  concurrency: number;
  webhookConcurrency: number;
  sendThreads: number;
  pollIntervalMs: number;
  retentionMs: number;
  publicUrl: string | null;
  logLevel: string;
  /** Who may read GET /metrics on the API port. */
  metrics: MetricsAccess;
  /** A port serving the probes alone (/metrics without a key, /healthz, /readyz); null: none. */
  metricsPort: number | null;
  idempotencyWindowMs: number;
  // Each tenant's limits (TenantLimits) where the admin set none of its own.
  maxWebhooks: number;
  maxBatchEvents: number;
  publishRate: number;
  keyPublishRate: number;
}

export const METRICS_ACCESS = ['off', 'public', 'admin'] as const;
export type MetricsAccess = (typeof METRICS_ACCESS)[number];

interface Setting<K extends keyof HeraldConfig> {
  key: K;
  env: string;
  flag: string;
  help: string;
  default: string;
  /** A key: its value is never repeated in an error message, which may end up in a log. */
  confidential?: boolean;
  parse(text: string): HeraldConfig[K];
}

class SettingError extends Error {}

function integer(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
      throw new SettingError(`must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

function duration(text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0)
    throw new SettingError('must be a positive duration such as 500ms, 10s, 1m, 1h or 5d');
  return ms;
}

function adminKey(text: string): string | null {
  if (text === '') return null;
  if (!/^\S{16,}$/.test(text)) throw new SettingError('must be at least 16 characters long, without spaces');
  return text;
}

function encryptionKey(text: string): EncryptionKey {
  try {
    return parseEncryptionKey(text);
  } catch (error) {
    throw new SettingError((error as Error).message);
  }
}

function setting<K extends keyof HeraldConfig>(definition: Setting<K>): Setting<K> {
  return definition;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Every setting Herald reads: from the environment, or the matching `herald serve` flag (flags win). */
export const SETTINGS = [
  setting({
    key: 'port',
    env: 'HERALD_PORT',
    flag: 'port',
    default: '8080',
    help: 'HTTP port',
    parse: integer(0, 65535),
  }),
  setting({
    key: 'host',
    env: 'HERALD_HOST',
    flag: 'host',
    // Loopback unless told otherwise: on every address, the admin API would be open to the network.
    default: '127.0.0.1',
    help: 'address to listen on (0.0.0.0: every address, as in a container)',
    parse: (text) => {
      if (text.trim() === '') throw new SettingError('must not be empty');
      return text.trim();
    },
  }),
  setting({
    key: 'database',
    env: 'HERALD_DATABASE',
    flag: 'database',
    default: './data/herald.db',
    help: 'SQLite file path, or a postgres:// URL',
    parse: (text) => {
      if (text.trim() === '') throw new SettingError('must be a SQLite file path or a postgres:// URL');
      return text.trim();
    },
  }),
  setting({
    key: 'databasePoolSize',
    env: 'HERALD_DATABASE_POOL_SIZE',
    flag: 'database-pool-size',
    default: '10',
    help: 'PostgreSQL connections per process (plus one for LISTEN)',
    parse: integer(1, 1000),
  }),
  setting({
    key: 'adminKey',
    env: 'HERALD_ADMIN_KEY',
    flag: 'admin-key',
    default: '',
    help: 'admin API key (generated and kept beside the database when unset)',
    parse: adminKey,
  }),
  setting({
    key: 'adminKeyPrevious',
    env: 'HERALD_ADMIN_KEY_PREVIOUS',
    flag: 'admin-key-previous',
    default: '',
    help: 'the admin key being retired: still accepted (and its portal links) during a rotation',
    parse: adminKey,
  }),
  setting({
    key: 'encryptionKey',
    env: 'HERALD_ENCRYPTION_KEY',
    flag: 'encryption-key',
    default: '',
    help: 'key sealing webhook secrets: 32 bytes in base64 (generated beside the database when unset)',
    confidential: true,
    parse: (text) => (text === '' ? null : encryptionKey(text)),
  }),
  setting({
    key: 'previousEncryptionKeys',
    env: 'HERALD_ENCRYPTION_KEY_PREVIOUS',
    flag: 'encryption-key-previous',
    default: '',
    help: 'comma-separated earlier keys, still read until herald rotate-key has sealed everything again',
    confidential: true,
    parse: (text) =>
      text
        .split(',')
        .filter((key) => key.trim() !== '')
        .map(encryptionKey),
  }),
  setting({
    key: 'retrySchedule',
    env: 'HERALD_RETRY_SCHEDULE',
    flag: 'retry-schedule',
    default: '1m,5m,15m',
    help: 'delays between attempts; their count is the number of retries',
    parse: (text) => {
      try {
        return text === '1m,5m,15m' ? DEFAULT_RETRY_SCHEDULE : parseRetrySchedule(text);
      } catch (error) {
        throw new SettingError((error as Error).message);
      }
    },
  }),
  setting({
    key: 'retryAfterCapMs',
    env: 'HERALD_RETRY_AFTER_MAX',
    flag: 'retry-after-max',
    default: '1h',
    help: "the longest a receiver's Retry-After (on 429 or 503) may postpone a retry",
    parse: duration,
  }),
  setting({
    key: 'disableAfterMs',
    env: 'HERALD_DISABLE_AFTER',
    flag: 'disable-after',
    default: '5d',
    help: 'disable a webhook whose every attempt has failed for this long',
    parse: duration,
  }),
  setting({
    key: 'deliveryTimeoutMs',
    env: 'HERALD_DELIVERY_TIMEOUT',
    flag: 'delivery-timeout',
    default: '10s',
    help: 'how long one attempt may take',
    parse: duration,
  }),
  setting({
    key: 'allowNetworks',
    env: 'HERALD_ALLOW_NETWORKS',
    flag: 'allow-networks',
    default: '',
    help: 'comma-separated CIDRs that deliveries may reach although non-public',
    parse: (text) => {
      try {
        return parseAllowList(text);
      } catch (error) {
        throw new SettingError((error as Error).message);
      }
    },
  }),
  setting({
    key: 'concurrency',
    env: 'HERALD_CONCURRENCY',
    flag: 'concurrency',
    default: '256',
    help: 'deliveries one worker holds at once',
    parse: integer(1, 100_000),
  }),
  setting({
    key: 'webhookConcurrency',
    env: 'HERALD_WEBHOOK_CONCURRENCY',
    flag: 'webhook-concurrency',
    default: '64',
    help: 'requests in flight to one webhook at once',
    parse: integer(1, 10_000),
  }),
  setting({
    key: 'sendThreads',
    env: 'HERALD_SEND_THREADS',
    flag: 'send-threads',
    default: '1',
    help: 'worker threads that make delivery requests (0: on the main thread)',
    parse: integer(0, 64),
  }),
  setting({
    key: 'pollIntervalMs',
    env: 'HERALD_POLL_INTERVAL',
    flag: 'poll-interval',
    default: '1s',
    help: 'longest wait between looks at the queue',
    parse: duration,
  }),
  setting({
    key: 'retentionMs',
    env: 'HERALD_RETENTION',
    flag: 'retention',
    default: '30d',
    help: 'how long events and their delivery history are kept once nothing is left to deliver',
    parse: duration,
  }),
  setting({
    key: 'publicUrl',
    env: 'HERALD_PUBLIC_URL',
    flag: 'public-url',
    default: '',
    help: 'the URL people reach Herald at, for portal links (else the listen address, unless that is 0.0.0.0 or ::)',
    parse: (text) => {
      if (text === '') return null;
      if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
        throw new SettingError('must be an http:// or https:// URL');
      }
      return text.replace(/\/+$/, '');
    },
  }),
  setting({
    key: 'maxWebhooks',
    env: TENANT_LIMIT_SETTINGS.maxWebhooks,
    flag: 'tenant-max-webhooks',
    default: '1000',
    help: 'webhooks one tenant may have (0: no limit)',
    parse: integer(0, MAX_QUOTA),
  }),
  setting({
    key: 'maxBatchEvents',
    env: TENANT_LIMIT_SETTINGS.maxBatchEvents,
    flag: 'max-batch-events',
    default: String(MAX_BATCH_EVENTS),
    help: `events one batch publish may carry (1 to ${MAX_BATCH_EVENTS})`,
    parse: integer(1, MAX_BATCH_EVENTS),
  }),
  setting({
    key: 'publishRate',
    env: TENANT_LIMIT_SETTINGS.publishRate,
    flag: 'tenant-publish-rate',
    default: '1000',
    help: 'events a second one tenant may publish to each API process, by any key (0: no limit)',
    parse: integer(0, MAX_QUOTA),
  }),
  setting({
    key: 'keyPublishRate',
    env: TENANT_LIMIT_SETTINGS.keyPublishRate,
    flag: 'key-publish-rate',
    default: '0',
    help: 'events a second one tenant API key may publish to each API process (0: no limit)',
    parse: integer(0, MAX_QUOTA),
  }),
  setting({
    key: 'logLevel',
    env: 'HERALD_LOG_LEVEL',
    flag: 'log-level',
    default: 'info',
    help: LOG_LEVELS.join(' | '),
    parse: (text) => {
      if (!LOG_LEVELS.includes(text)) throw new SettingError(`must be one of ${LOG_LEVELS.join(', ')}`);
      return text;
    },
  }),
  setting({
    key: 'metrics',
    env: 'HERALD_METRICS',
    flag: 'metrics',
    default: 'admin',
    help: 'GET /metrics on the API port: off | public (no key) | admin (the admin key)',
    parse: (text) => {
      const access = METRICS_ACCESS.find((name) => name === text);
      if (!access) throw new SettingError(`must be one of ${METRICS_ACCESS.join(', ')}`);
      return access;
    },
  }),
  setting({
    key: 'metricsPort',
    env: 'HERALD_METRICS_PORT',
    flag: 'metrics-port',
    default: '',
    help: 'a port for /metrics (no key), /healthz and /readyz alone, e.g. for workers (empty: none)',
    parse: (text) => (text.trim() === '' ? null : integer(0, 65535)(text)),
  }),
  setting({
    key: 'idempotencyWindowMs',
    env: 'HERALD_IDEMPOTENCY_WINDOW',
    flag: 'idempotency-window',
    default: '24h',
    help: 'how long a published event id is remembered: a repeat within it is not delivered again',
    parse: duration,
  }),
];

/** The limits of every tenant the admin set none of its own for (TenantLimits). */
export function defaultTenantLimits(config: HeraldConfig): Required<TenantLimits> {
  const { maxWebhooks, maxBatchEvents, publishRate, keyPublishRate } = config;
  return { maxWebhooks, maxBatchEvents, publishRate, keyPublishRate };
}

/** Variables under this prefix belong to the test suite, not to a running Herald. */
const TEST_ONLY_PREFIX = 'HERALD_TEST_';
/** Read by the client commands (publish, demo, dlq), so it may be exported in a shell that runs Herald. */
const CLIENT_ONLY = ['HERALD_API_KEY'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads every setting once, at start-up: flags over environment over defaults. Unknown HERALD_*
 * variables are refused, so a typo does not silently fall back to a default.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  flags: Record<string, string | undefined> = {},
): HeraldConfig {
  const problems: string[] = [];
  const known = new Set(SETTINGS.map((s) => s.env));
  for (const name of Object.keys(env)) {
    const foreign = name.startsWith(TEST_ONLY_PREFIX) || CLIENT_ONLY.includes(name);
    if (name.startsWith('HERALD_') && !known.has(name) && !foreign) {
      problems.push(`${name} is not a Herald setting; known settings: ${[...known].join(', ')}`);
    }
  }
  const config: Partial<Record<keyof HeraldConfig, unknown>> = {};
  for (const s of SETTINGS) {
    const fromFlag = flags[s.flag];
    const text = fromFlag ?? env[s.env] ?? s.default;
    try {
      config[s.key] = s.parse(text);
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      const source = fromFlag === undefined ? s.env : `--${s.flag}`;
      problems.push(`${source}${s.confidential ? '' : `=${JSON.stringify(text)}`} ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as HeraldConfig;
}
