/**
 * Herald laid out for PostgreSQL (`serve --no-workers` + `herald worker` processes) on a throwaway
 * database, and what a run of it costs per delivered event: CPU of each Herald role and of the
 * database server's backends, statements, commits, rows and WAL. These are the capacity model's
 * inputs (docs/scaling.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { PostgresCosts } from '../../lib/capacity.js';
import { CLI, HeraldApi, HeraldProcess, newAdminKey } from '../../lib/herald.js';
import { cpuMeter, sleep } from '../../lib/procs.js';
import type { Context } from '../scenario.js';
import { freshDir } from './instances.js';
import { databaseCpuMeter } from './postgres-database.js';

const STATEMENT_COUNTER = fileURLToPath(new URL('../../lib/count-statements.cjs', import.meta.url));

/** One API process and its workers on one database, each process counting its statements. */
export class PostgresHerald {
  readonly workers: HeraldProcess[] = [];

  private constructor(
    private readonly ctx: Context,
    readonly database: string,
    private readonly dir: string,
    private readonly adminKey: string,
    readonly apiProcess: HeraldProcess,
    readonly api: HeraldApi,
  ) {}

  /** The API process, the benchmark tenant and one webhook at the receiver; no worker yet. */
  static async start(ctx: Context, database: string): Promise<PostgresHerald> {
    const dir = freshDir(ctx, 'herald');
    const adminKey = newAdminKey();
    const apiProcess = await HeraldProcess.start(
      'api',
      PostgresHerald.options(ctx, database, dir, adminKey, 'api-0'),
    );
    const api = new HeraldApi(apiProcess.url as string, adminKey);
    const herald = new PostgresHerald(ctx, database, dir, adminKey, apiProcess, api);
    try {
      await api.createTenant();
      await api.createWebhooks([`${ctx.receiverUrl}/one/0`]);
    } catch (error) {
      await herald.stop();
      throw error;
    }
    return herald;
  }

  private static options(ctx: Context, database: string, dir: string, adminKey: string, name: string) {
    return {
      database,
      workDir: dir,
      adminKey,
      env: { BENCH_STATEMENTS_FILE: join(dir, `statements-${name}.txt`), BENCH_STATEMENTS_CLI: CLI },
      nodeArgs: [...ctx.heraldNodeArgs, '--require', STATEMENT_COUNTER],
    };
  }

  async addWorkers(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const index = this.workers.length;
      const options = PostgresHerald.options(
        this.ctx,
        this.database,
        this.dir,
        this.adminKey,
        `worker-${index}`,
      );
      this.workers.push(await HeraldProcess.start('worker', options, index));
    }
  }

  get processes(): HeraldProcess[] {
    return [this.apiProcess, ...this.workers];
  }

  /** Statements sent so far by the API process and by the workers (each file is rewritten every 500 ms while its count changes). */
  statements(): { api: number; workers: number } {
    const read = (name: string) => {
      const file = join(this.dir, `statements-${name}.txt`);
      return existsSync(file) ? Number(readFileSync(file, 'utf8')) || 0 : 0;
    };
    return {
      api: read('api-0'),
      workers: this.workers.reduce((sum, _worker, i) => sum + read(`worker-${i}`), 0),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.stop()));
  }
}

interface ServerCounters {
  commits: number;
  rowsWritten: number;
  walRecords: number;
  walBytes: number;
}

/**
 * Starts measuring a PostgresHerald: call `finish` once every event is delivered, with the count;
 * it stops the Herald processes (their backends then flush their statistics) and returns the costs.
 */
export interface CostMeter {
  finish(events: number): Promise<PostgresCosts>;
}

export async function measureCosts(ctx: Context, herald: PostgresHerald): Promise<CostMeter> {
  const admin = new pg.Client({ connectionString: ctx.postgresUrl });
  await admin.connect();
  const name = new URL(herald.database).pathname.slice(1);
  const counters = async (): Promise<ServerCounters> => {
    const { rows } = await admin.query<Record<keyof ServerCounters, string>>(
      `SELECT d.xact_commit AS "commits", d.tup_inserted + d.tup_updated + d.tup_deleted AS "rowsWritten",
              w.wal_records AS "walRecords", w.wal_bytes AS "walBytes"
         FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = $1`,
      [name],
    );
    const row = rows[0];
    if (!row) throw new Error(`no statistics for database ${name}`);
    return {
      commits: Number(row.commits),
      rowsWritten: Number(row.rowsWritten),
      walRecords: Number(row.walRecords),
      walBytes: Number(row.walBytes),
    };
  };
  const databaseCpu = await databaseCpuMeter(ctx, herald.database);
  const before = await counters();
  const statementsBefore = herald.statements();
  const apiCpu = cpuMeter([herald.apiProcess.pid]);
  const workersCpu = cpuMeter(herald.workers.map((worker) => worker.pid));
  const loadgenCpu = cpuMeter([ctx.loadgen.pid]);
  const receiverCpu = cpuMeter([ctx.receiver.pid]);
  const started = Date.now();

  return {
    async finish(events) {
      const seconds = (Date.now() - started) / 1000;
      const api = apiCpu();
      const workers = workersCpu();
      const loadgen = loadgenCpu();
      const receiver = receiverCpu();
      const database = await databaseCpu();
      try {
        await herald.stop();
        // A backend flushes its statistics as it exits; give the last of them a moment.
        await sleep(500);
        const after = await counters();
        const statements = herald.statements();
        const perEvent = (value: number) => value / events;
        const us = (cpuSeconds: number) => perEvent(cpuSeconds) * 1e6;
        return {
          events,
          seconds,
          cpuUs: {
            api: us(api),
            workers: us(workers),
            database: us(database),
            loadgen: us(loadgen),
            receiver: us(receiver),
          },
          statements: {
            api: perEvent(statements.api - statementsBefore.api),
            workers: perEvent(statements.workers - statementsBefore.workers),
          },
          commits: perEvent(after.commits - before.commits),
          rowsWritten: perEvent(after.rowsWritten - before.rowsWritten),
          walRecords: perEvent(after.walRecords - before.walRecords),
          walBytes: perEvent(after.walBytes - before.walBytes),
        };
      } finally {
        await admin.end();
      }
    },
  };
}
