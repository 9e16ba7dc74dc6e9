/** Herald as users run it: `node dist/cli/main.js serve` (or `worker`), configured by environment. */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { TENANT_ID } from './payload.js';
import { exited, freePort, memoryOf, sleep, spawnLogged, stopProcess } from './procs.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
/** The build under test: the project's dist/ unless `--dist` names another (to compare two builds). */
export let CLI = join(ROOT, 'dist/cli/main.js');

export function selectBuild(distDir: string): void {
  CLI = join(distDir, 'cli/main.js');
}

export interface HeraldOptions {
  /** SQLite file or postgres:// URL. */
  database: string;
  workDir: string;
  adminKey: string;
  /** Extra HERALD_* settings for this scenario. */
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/** Every inherited HERALD_* variable is dropped: unknown ones stop Herald, and stray ones skew a run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('HERALD_') && !key.startsWith('NODE_OPTIONS')) env[key] = value;
  }
  return { ...env, ...extra };
}

export function newAdminKey(): string {
  return `bench_${randomBytes(18).toString('hex')}`;
}

/**
 * The key every Herald of this benchmark seals webhook secrets with (HERALD_ENCRYPTION_KEY): required
 * on PostgreSQL, where every process must share it; on SQLite it spares each run a generated key file.
 */
export const BENCH_ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** One running Herald process; samples its resident memory while it runs. */
export class HeraldProcess {
  peakRssMb = 0;
  private sampler: NodeJS.Timeout;

  private constructor(
    readonly role: string,
    readonly child: ChildProcess,
    readonly url: string | null,
    readonly logFile: string,
  ) {
    this.sampler = setInterval(() => this.sample(), 250);
    this.sampler.unref();
  }

  static async start(
    role: 'serve' | 'api' | 'worker',
    options: HeraldOptions,
    index = 0,
  ): Promise<HeraldProcess> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const port = role === 'worker' ? 0 : await freePort();
    const env = cleanEnv({
      HERALD_DATABASE: options.database,
      HERALD_HOST: '127.0.0.1',
      HERALD_PORT: String(port),
      HERALD_ADMIN_KEY: options.adminKey,
      HERALD_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
      HERALD_ALLOW_NETWORKS: '127.0.0.0/8',
      HERALD_LOG_LEVEL: 'warn',
      ...options.env,
    });
    const args = [...(options.nodeArgs ?? []), CLI, role === 'worker' ? 'worker' : 'serve'];
    if (role === 'api') args.push('--no-workers');
    const logFile = join(options.workDir, `herald-${role}-${index}.log`);
    const child = spawnLogged(process.execPath, args, { env, cwd: options.workDir, logFile });
    const url = role === 'worker' ? null : `http://127.0.0.1:${port}`;
    const herald = new HeraldProcess(role, child, url, logFile);
    await herald.ready();
    return herald;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The API answers /healthz, or a worker has said it is running. */
  private async ready(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`herald ${this.role} exited at start-up:\n${this.logTail()}`);
      }
      if (this.url) {
        try {
          const response = await request(`${this.url}/healthz`);
          await response.body.dump();
          if (response.statusCode === 200) return;
        } catch {
          // not listening yet
        }
      } else if (this.logTail().includes('delivery workers')) {
        return;
      }
      await sleep(100);
    }
    throw new Error(`herald ${this.role} did not become ready in 30 s:\n${this.logTail()}`);
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  sample(): void {
    const memory = memoryOf(this.pid);
    if (memory) this.peakRssMb = Math.max(this.peakRssMb, memory.peakMb, memory.rssMb);
  }

  /** SIGTERM (Herald finishes what is in flight), SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.sample();
    clearInterval(this.sampler);
    await stopProcess(this.child, 20_000);
  }

  exited(): Promise<number | null> {
    return exited(this.child);
  }
}

/** The admin API calls a benchmark needs to set itself up. */
export class HeraldApi {
  constructor(
    readonly url: string,
    readonly key: string,
  ) {}

  get auth(): Record<string, string> {
    return { authorization: `Bearer ${this.key}` };
  }

  async call<T>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await request(`${this.url}${path}`, {
      method,
      headers: { ...this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: (text ? JSON.parse(text) : null) as T };
  }

  /**
   * Creates the tenant without webhook or publish-rate limits: the scenarios measure Herald at full
   * speed, well past the default per-tenant rate. A build from before tenant limits has no PATCH
   * route (404) and no limits to lift.
   */
  async createTenant(id = TENANT_ID): Promise<void> {
    const answer = await this.call('POST', '/v1/tenants', { id, name: 'Benchmark' });
    if (answer.status !== 201 && answer.status !== 409) {
      throw new Error(`create tenant: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    const unlimited = { limits: { maxWebhooks: 0, publishRate: 0, keyPublishRate: 0 } };
    const lifted = await this.call('PATCH', `/v1/tenants/${id}`, unlimited);
    if (lifted.status !== 200 && lifted.status !== 404) {
      throw new Error(`lift tenant limits: HTTP ${lifted.status} ${JSON.stringify(lifted.body)}`);
    }
  }

  /** Registers one webhook per URL, `parallel` registrations at a time. */
  async createWebhooks(urls: string[], tenantId = TENANT_ID, parallel = 16): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < urls.length) {
        const url = urls[next++] as string;
        const answer = await this.call('POST', `/v1/tenants/${tenantId}/webhooks`, {
          url,
          secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        });
        if (answer.status !== 201) {
          throw new Error(`create webhook ${url}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }

  /** Whether the batch publish route exists in this build (404 from the router when it does not). */
  async hasBatchRoute(tenantId = TENANT_ID): Promise<boolean> {
    const answer = await this.call('POST', `/v1/tenants/${tenantId}/events/batch`, { events: [] });
    return answer.status !== 404;
  }
}
