/** A throwaway PostgreSQL database per run, and whether this machine and build can run Herald on one. */
import { spawnSync } from 'node:child_process';
import { BENCH_ENCRYPTION_KEY, CLI, newAdminKey } from '../../lib/herald.js';
import { cpuSecondsOf } from '../../lib/procs.js';
import type { Context } from '../scenario.js';
import { nextInstance } from './instances.js';

/** Whether PostgreSQL answers and this build of Herald accepts a postgres:// database (`herald migrate`). */
export async function postgresSkipReason(ctx: Context): Promise<string | null> {
  try {
    return await withDatabase(ctx, async (database) => {
      const probe = spawnSync(process.execPath, [CLI, 'migrate'], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HERALD_DATABASE: database,
          HERALD_ADMIN_KEY: newAdminKey(),
          HERALD_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
        },
        timeout: 60_000,
      });
      if (probe.status === 0) return null;
      const said = `${probe.stderr}${probe.stdout}`.trim();
      if (/not supported/i.test(said)) {
        return `this build of Herald does not support PostgreSQL yet (\`herald migrate\`: ${said.split('\n')[0]})`;
      }
      throw new Error(`\`herald migrate\` on PostgreSQL failed: ${said}`);
    });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('`herald migrate`')) throw error;
    return `PostgreSQL not reachable at ${ctx.postgresUrl}: ${error instanceof Error ? error.message : error}`;
  }
}

/** Runs `fn` with the URL of a new database on ctx.postgresUrl's server, dropped afterwards. */
export async function withDatabase<T>(ctx: Context, fn: (url: string) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const name = `herald_bench_${process.pid}_${nextInstance()}`;
  const admin = new pg.Client({ connectionString: ctx.postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(ctx.postgresUrl);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/**
 * CPU seconds the server's backends serving `database` (a URL on ctx.postgresUrl's server) use from
 * now until the returned function is called; backends opened meanwhile count from their start. The
 * server's shared background processes (WAL writer, checkpointer) are not counted.
 */
export async function databaseCpuMeter(ctx: Context, database: string): Promise<() => Promise<number>> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: ctx.postgresUrl });
  await admin.connect();
  const name = new URL(database).pathname.slice(1);
  const backends = async (): Promise<number[]> => {
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1',
      [name],
    );
    return rows.map((row) => row.pid);
  };
  const before = new Map((await backends()).map((pid) => [pid, cpuSecondsOf(pid)]));
  return async () => {
    try {
      return (await backends()).reduce((sum, pid) => sum + cpuSecondsOf(pid) - (before.get(pid) ?? 0), 0);
    } finally {
      await admin.end();
    }
  };
}
