import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Authenticator } from './api/auth.js';
import { EventCatalog } from './api/event-catalog.js';
import { buildServer } from './api/server.js';
import { ConfigError, defaultTenantLimits, type HeraldConfig, loadConfig } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import { newSecretToken } from './core/ids.js';
import type { AttemptSender } from './delivery/attempt-sender.js';
import { BackgroundWorker } from './delivery/background-worker.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { HealthMonitor } from './delivery/health-monitor.js';
import { HttpSender } from './delivery/http-sender.js';
import { sendNowWith } from './delivery/send-now.js';
import { NetworkPolicy } from './delivery/ssrf.js';
import { ThreadedSender } from './delivery/threaded-sender.js';
import { requireSealingKeys, resolveSecretBox } from './encryption-keys.js';
import { adminKeyFile, makeDataDir } from './store/data-dir.js';
import { isPostgresUrl, openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { USER_AGENT } from './version.js';

export const DEFAULT_UI_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));

export interface StartOptions {
  /** Settings (the CLI reads them from flags and the environment); anything missing takes its default. */
  config?: Partial<HeraldConfig>;
  /** Serve the API (and the console). */
  api?: boolean;
  /** Run delivery workers in this process. */
  workers?: boolean;
  clock?: Clock;
  uiDir?: string;
  /** Where the generated admin key is announced. */
  announce?: (line: string) => void;
}

export interface RunningHerald {
  /** The API's base URL, or null for a workers-only process. */
  url: string | null;
  adminKey: string;
  config: HeraldConfig;
  store: Store;
  dispatcher: Dispatcher | null;
  /** Disables webhooks for what their receivers did (410 Gone, failing too long). */
  health: HealthMonitor;
  /** Expands big fan-outs and purges deleted webhooks, in a workers process; null otherwise. */
  background: BackgroundWorker | null;
  server: FastifyInstance | null;
  stop(): Promise<void>;
}

/**
 * The admin key: HERALD_ADMIN_KEY, else the one generated on first start and kept beside the
 * SQLite database (printed once). PostgreSQL deployments run many processes, so they must share
 * one key set explicitly.
 */
function resolveAdminKey(config: HeraldConfig, announce: (line: string) => void): string {
  if (config.adminKey) return config.adminKey;
  if (isPostgresUrl(config.database)) {
    throw new ConfigError([
      'HERALD_ADMIN_KEY must be set with PostgreSQL: every Herald process must share it',
    ]);
  }
  const file = adminKeyFile(config.database);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = newSecretToken('hadm_', 32);
  makeDataDir(dirname(file));
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  announce(`Generated an admin API key (kept in ${file}; shown only this once):\n\n    ${key}\n`);
  return key;
}

/**
 * Requests go out from worker threads unless HERALD_SEND_THREADS is 0, or the caller injected a
 * clock: a thread cannot read it, and attempts must be stamped by the clock the rest of Herald uses.
 */
async function createSender(
  config: HeraldConfig,
  policy: NetworkPolicy,
  injectedClock: Clock | undefined,
  onError: (error: unknown) => void,
): Promise<AttemptSender & { close(): Promise<void> }> {
  if (config.sendThreads > 0 && injectedClock === undefined) {
    const settings = {
      timeoutMs: config.deliveryTimeoutMs,
      allowNetworks: config.allowNetworks,
      userAgent: USER_AGENT,
    };
    const sender = new ThreadedSender(settings, config.sendThreads, onError);
    await sender.ready();
    return sender;
  }
  const clock = injectedClock ?? systemClock;
  return new HttpSender({
    timeoutMs: config.deliveryTimeoutMs,
    policy,
    userAgent: USER_AGENT,
    now: () => clock.now(),
  });
}

export async function startHerald(options: StartOptions = {}): Promise<RunningHerald> {
  const config = { ...loadConfig({}), ...options.config };
  const clock = options.clock ?? systemClock;
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const adminKey = resolveAdminKey(config, announce);
  const owner = `${hostname()}:${process.pid}:${newSecretToken('', 4)}`;

  const secrets = resolveSecretBox(config, announce);
  const store = await openStore(config.database, {
    poolSize: config.databasePoolSize,
    idempotencyWindowMs: config.idempotencyWindowMs,
    secrets,
  });
  try {
    await store.migrate();
    await requireSealingKeys(store, secrets);
  } catch (error) {
    await store.close();
    throw error;
  }
  const policy = new NetworkPolicy(config.allowNetworks);
  const retryPolicy = { schedule: config.retrySchedule, retryAfterCapMs: config.retryAfterCapMs };
  let server: FastifyInstance | null = null;
  const logError = (error: unknown, message: string) =>
    server ? server.log.error({ err: error }, message) : console.error(error);
  const sender = await createSender(config, policy, options.clock, (error) =>
    logError(error, 'sender thread error'),
  );
  const health = new HealthMonitor({
    store,
    clock,
    disableAfterMs: config.disableAfterMs,
    onError: (error) => logError(error, 'webhook health error'),
  });

  let url: string | null = null;
  // Listening on every address says nothing about where people reach Herald.
  const listensEverywhere = config.host === '0.0.0.0' || config.host === '::';
  if (options.api ?? true) {
    const logger = config.logLevel === 'silent' ? false : { level: config.logLevel };
    server = await buildServer(
      {
        directory: store,
        publisher: store,
        history: store,
        retention: store,
        clock,
        auth: new Authenticator(store, adminKey, clock, config.adminKeyPrevious),
        catalog: new EventCatalog(store, clock),
        refuseUrl: (url) => policy.checkUrl(url),
        sendNow: sendNowWith({
          store,
          sender,
          clock,
          retryPolicy,
          health,
          owner,
          timeoutMs: config.deliveryTimeoutMs,
        }),
        publicUrl: () => config.publicUrl ?? (listensEverywhere ? null : url),
        tenantLimits: defaultTenantLimits(config),
      },
      { logger, uiDir: options.uiDir ?? DEFAULT_UI_DIR },
    );
    await server.listen({ port: config.port, host: config.host });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shownHost = listensEverywhere ? '127.0.0.1' : config.host;
    url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  }

  let dispatcher: Dispatcher | null = null;
  let background: BackgroundWorker | null = null;
  if (options.workers ?? true) {
    dispatcher = new Dispatcher({
      queue: store,
      sender,
      clock,
      retryPolicy,
      health,
      owner,
      concurrency: config.concurrency,
      webhookConcurrency: config.webhookConcurrency,
      timeoutMs: config.deliveryTimeoutMs,
      pollIntervalMs: config.pollIntervalMs,
      onError: (error) => logError(error, 'delivery worker error'),
    });
    dispatcher.start();
    health.start();
    background = new BackgroundWorker({
      store,
      clock,
      pollIntervalMs: config.pollIntervalMs,
      retentionMs: config.retentionMs,
      onError: (error) => logError(error, 'background work error'),
    });
    background.start();
  }

  let stopping: Promise<void> | null = null;
  return {
    url,
    adminKey,
    config,
    store,
    dispatcher,
    health,
    background,
    server,
    stop() {
      stopping ??= (async () => {
        await server?.close();
        health.stop();
        await background?.stop();
        await dispatcher?.stop();
        await sender.close();
        await store.close();
      })();
      return stopping;
    },
  };
}
