import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { type RunningHerald, type StartOptions, startHerald } from '../../src/app.js';
import type { HeraldConfig } from '../../src/config.js';
import type { TestBackend } from './backends.js';
import { dropSchemas, POSTGRES_TEST_URL, uniqueSchemaName } from './postgres.js';
import { TEST_ENCRYPTION_KEY } from './secrets.js';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export class TestHerald {
  constructor(
    readonly herald: RunningHerald,
    private readonly cleanup: () => Promise<void>,
  ) {}

  get url(): string {
    return this.herald.url as string;
  }

  get adminKey(): string {
    return this.herald.adminKey;
  }

  /** Calls the API as a client would; `key: null` sends no Authorization header. */
  async call<T = any>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    path: string,
    options: {
      body?: unknown;
      raw?: string | Buffer;
      key?: string | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse<T>> {
    const key = options.key === undefined ? this.adminKey : options.key;
    const headers: Record<string, string> = { ...options.headers };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | Buffer | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await request(`${this.url}${path}`, { method, headers, body });
    const text = await response.body.text();
    let parsed: unknown = text;
    if ((response.headers['content-type'] ?? '').toString().includes('json') && text !== '')
      parsed = JSON.parse(text);
    return { status: response.statusCode, body: parsed as T, headers: response.headers };
  }

  async stop(): Promise<void> {
    await this.herald.stop();
    await this.cleanup();
  }
}

/** A real Herald on loopback with its own empty database, delivering to 127.0.0.0/8. */
export async function startTestHerald(
  backend: TestBackend,
  config: Partial<HeraldConfig> = {},
  options: Omit<StartOptions, 'config'> = {},
): Promise<TestHerald> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  const schema = uniqueSchemaName();
  const database = backend === 'sqlite' ? join(dir, 'herald.db') : `${POSTGRES_TEST_URL}?schema=${schema}`;
  const herald = await startHerald({
    config: {
      database,
      port: 0,
      host: '127.0.0.1',
      allowNetworks: ['127.0.0.0/8'],
      retrySchedule: [200, 200, 200],
      deliveryTimeoutMs: 2_000,
      pollIntervalMs: 100,
      logLevel: 'silent',
      adminKey: 'test-admin-key-0123456789',
      // SQLite generates its key beside the database; PostgreSQL processes must be given one.
      ...(backend === 'postgres' ? { encryptionKey: TEST_ENCRYPTION_KEY } : {}),
      ...config,
    },
    announce: () => undefined,
    ...options,
  });
  return new TestHerald(herald, async () => {
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchemas([schema]);
  });
}
