import { existsSync, readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { request } from 'undici';
import { SETTINGS } from '../config.js';
import { adminKeyFile } from '../store/data-dir.js';
import { isPostgresUrl } from '../store/open-store.js';
import { CommandError, UsageError } from './exit-codes.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** --url and --key, for the commands that call a running Herald's API. */
export function withApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', "the Herald API's address").default(DEFAULT_API_URL))
    .addOption(
      new Option(
        '--key <key>',
        'API key (else HERALD_ADMIN_KEY, else HERALD_API_KEY, else the admin key generated in ./data/)',
      ),
    );
}

/**
 * The key to call with: the flag, the environment, or, as after the quick start, the admin key a
 * local Herald generated beside its SQLite database.
 */
export function resolveApiKey(flag: string | undefined, env: Record<string, string | undefined>): string {
  const given = [flag, env.HERALD_ADMIN_KEY, env.HERALD_API_KEY].find((key) => key);
  if (given) return given;
  const database = env.HERALD_DATABASE ?? SETTINGS.find((s) => s.key === 'database')?.default ?? '';
  const file = isPostgresUrl(database) ? null : adminKeyFile(database);
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new UsageError('no API key: give --key, or set HERALD_ADMIN_KEY or HERALD_API_KEY');
}

/** An answer Herald gave with an error status: its catalogue code and message. */
export class ApiError extends CommandError {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(`Herald answered ${status} ${code}: ${detail}`);
  }
}

/** Herald's /v1 API as the CLI calls it: JSON in, JSON out, every failure a CommandError. */
export class ApiClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly key: string,
  ) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new UsageError(`--url "${url}" is not an http:// or https:// URL`);
    }
    this.base = url.replace(/\/+$/, '');
  }

  async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      throw new CommandError(`cannot reach Herald at ${this.base} (${reason}): is it running? (npm start)`);
    }
    const text = await response.body.text();
    const answer = text === '' ? null : parseJson(text);
    if (response.statusCode >= 400) {
      const error = (answer as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(response.statusCode, error?.code ?? 'ERROR', error?.message ?? text);
    }
    return answer as T;
  }

  /** A GET whose 404 means "absent" rather than a failure. */
  async find<T>(path: string): Promise<T | null> {
    try {
      return await this.call<T>('GET', path);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A path segment as the API expects it in a URL. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** Every item of a paged list (`{data, nextCursor}`), fetching page after page. */
export async function* allPages<T>(client: ApiClient, path: string): AsyncGenerator<T> {
  let cursor: string | null = null;
  do {
    const query: string = `limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page: { data: T[]; nextCursor: string | null } = await client.call('GET', `${path}?${query}`);
    yield* page.data;
    cursor = page.nextCursor;
  } while (cursor !== null);
}
