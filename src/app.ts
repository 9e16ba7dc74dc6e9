import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Authenticator } from './api/auth.js';
import { EventCatalog } from './api/event-catalog.js';
import { buildProbeServer } from './api/probe-server.js';
import type { Probes } from './api/routes/probes.js';
import { buildServer } from './api/server.js';
import {
  ConfigError,
  defaultTenantLimits,
  type HeraldConfig,
  loadConfig,
  type MetricsAccess,
} from './config.js';
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
import { reportAttempts } from './observability/attempt-report.js';
import { countedPublisher } from './observability/counted-publisher.js';
import { ErrorLog } from './observability/error-log.js';
import { createLogger, type Logger } from './observability/logger.js';
import { HeraldMetrics } from './observability/metrics.js';
import { whyNotReady } from './observability/readiness.js';
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
  /** Herald's logger; by default one at HERALD_LOG_LEVEL on stdout (tests pass one to read). */
  logger?: Logger;
}

export interface RunningHerald {
  /** The API's base URL, or null for a workers-only process. */
  url: string | null;
  /** The probe server's base URL (HERALD_METRICS_PORT), or null without one. */
  metricsUrl: string | null;
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

/** GET /metrics on the API port, as HERALD_METRICS says: for the admin key, for anyone, or not at all. */
function apiMetrics(
  access: MetricsAccess,
  exposition: { contentType: string; render(): Promise<string> },
  auth: Authenticator,
): Probes['metrics'] {
  if (access === 'off') return null;
  if (access === 'public') return exposition;
  return {
    ...exposition,
    authorize: async (request) => auth.requireAdmin(await auth.authenticate(request.headers.authorization)),
  };
}

/** Where a listening server is reached: on loopback when it listens on every address. */
function baseUrl(server: FastifyInstance, host: string): string {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const shownHost = listensEverywhere(host) ? '127.0.0.1' : host;
  return `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
}

// Listening on every address says nothing about where people reach Herald.
const listensEverywhere = (host: string) => host === '0.0.0.0' || host === '::';

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
  const logger = options.logger ?? createLogger(config.logLevel);
  const errors = new ErrorLog({
    logger,
    probe: () => store.schemaVersion(),
    probeIntervalMs: config.pollIntervalMs,
  });
  const logError = (error: unknown, message: string) => errors.report(error, message);
  const metrics = new HeraldMetrics({
    store,
    clock,
    onStatsError: (error) => logError(error, 'reading the queue for the metrics failed'),
  });
  const observer = reportAttempts(metrics, logger);
  const exposition = { contentType: metrics.contentType, render: () => metrics.render() };
  const ready = () => whyNotReady(store);
  let server: FastifyInstance | null = null;
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
  if (options.api ?? true) {
    const auth = new Authenticator(store, adminKey, clock, config.adminKeyPrevious);
    server = await buildServer(
      {
        directory: store,
        publisher: countedPublisher(store, metrics),
        history: store,
        retention: store,
        clock,
        auth,
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
          observer,
        }),
        publicUrl: () => config.publicUrl ?? (listensEverywhere(config.host) ? null : url),
        tenantLimits: defaultTenantLimits(config),
        probes: { whyNotReady: ready, metrics: apiMetrics(config.metrics, exposition, auth) },
      },
      { logger, uiDir: options.uiDir ?? DEFAULT_UI_DIR },
    );
    await server.listen({ port: config.port, host: config.host });
    url = baseUrl(server, config.host);
  }

  let probeServer: FastifyInstance | null = null;
  let metricsUrl: string | null = null;
  if (config.metricsPort !== null) {
    probeServer = await buildProbeServer({ whyNotReady: ready, metrics: exposition }, logger);
    await probeServer.listen({ port: config.metricsPort, host: config.host });
    metricsUrl = baseUrl(probeServer, config.host);
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
      observer,
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
    metricsUrl,
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
        await probeServer?.close();
        health.stop();
        await background?.stop();
        await dispatcher?.stop();
        await sender.close();
        errors.stop();
        await store.close();
      })();
      return stopping;
    },
  };
}
