/**
 * docs/scaling.md, the capacity model, from a benchmark result that ran the `postgres` scenario:
 * the per-event costs it measured (runs[].details.workersN.costs), the model (capacity.ts) with
 * them, and the model checked against the runs. A complete full run writes it (bench/run.ts);
 * `node --import tsx bench/scaling.ts <results.json>` writes it from any result file.
 */

import {
  type Cluster,
  combineLeaves,
  costsAt,
  fitCosts,
  machineCpuUs,
  type PostgresCosts,
  predict,
  predictOneMachine,
} from './capacity.js';
import type { BenchResults } from './report.js';

interface Measured {
  workers: number;
  /** Deliveries/s at the receiver (median of the runs). */
  rate: number;
  /** Each cost the mean of the runs'. */
  costs: PostgresCosts;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** docs/scaling.md for the `postgres` runs of `results`, read from `source` (a path shown in the doc). */
export function scalingMarkdown(results: BenchResults, source: string): string {
  const runs = results.runs.filter((run) => run.scenario === 'postgres' && run.ok);
  if (runs.length === 0) throw new Error(`${source} has no successful run of the postgres scenario`);
  // The worker counts the runs measured, from their details' keys (workers1, workers2, …).
  const workerCounts = Object.keys((runs[0]?.details ?? {}) as object)
    .map((key) => Number(/^workers(\d+)$/.exec(key)?.[1]))
    .filter((count) => count > 0);
  const measured: Measured[] = workerCounts.map((workers) => {
    const details = runs.map(
      (run) => (run.details as Record<string, { costs: PostgresCosts }>)[`workers${workers}`],
    );
    return {
      workers,
      rate: median(runs.map((run) => run.values?.[`workers${workers}`] ?? Number.NaN)),
      costs: combineLeaves(
        details.map((detail) => detail?.costs as PostgresCosts),
        (values) => values.reduce((a, b) => a + b, 0) / values.length,
      ),
    };
  });

  const n0 = (value: number) => Math.round(value).toLocaleString('en');
  const n1 = (value: number) => value.toFixed(1);
  const n2 = (value: number) => value.toFixed(2);
  const percent = (value: number) => `${value >= 0 ? '+' : ''}${Math.round(value * 100)} %`;

  const costRows = measured.map(({ workers, rate, costs }) =>
    [
      `${workers}`,
      `${n0(rate)}/s`,
      n1(costs.cpuUs.api),
      n1(costs.cpuUs.workers),
      n1(costs.cpuUs.database),
      n1(costs.cpuUs.loadgen + costs.cpuUs.receiver),
      n2(costs.statements.api),
      n2(costs.statements.workers),
      n2(costs.commits),
      n2(costs.rowsWritten),
      n2(costs.walRecords),
      n0(costs.walBytes),
    ].join(' | '),
  );

  // Each layout checked with the model fitted to the others (leave one out): the error of a prediction
  // for a worker count the model was not fitted to.
  const cores = results.machine.cpus;
  const checks = measured.map((actual) => {
    const others = measured.filter((layout) => layout !== actual);
    const model = fitCosts(others);
    const nominal = predictOneMachine(model, actual.workers, cores);
    // The cores the run actually got: every measured process's CPU over the run's window.
    const available = (machineCpuUs(actual.costs) * actual.costs.events) / actual.costs.seconds / 1e6;
    const given = predictOneMachine(model, actual.workers, available);
    const fittedTo = others.map((layout) => layout.workers).join(', ');
    return `| ${actual.workers} worker${actual.workers === 1 ? '' : 's'} | ${fittedTo} | ${n0(actual.rate)}/s | ${n0(nominal.rate)}/s (${nominal.bound}) | ${percent(nominal.rate / actual.rate - 1)} | ${n2(available)} | ${n0(given.rate)}/s (${given.bound}) | ${percent(given.rate / actual.rate - 1)} |`;
  });

  const model = fitCosts(measured);
  const growth = (
    [
      ['API CPU µs', (c: PostgresCosts['cpuUs']) => c.api],
      ['workers CPU µs (all of them)', (c: PostgresCosts['cpuUs']) => c.workers],
      ['PostgreSQL CPU µs', (c: PostgresCosts['cpuUs']) => c.database],
    ] as const
  )
    .map(([label, of]) => `| ${label} | ${n1(of(model.base.cpuUs))} | ${n1(of(model.perWorker.cpuUs))} |`)
    .concat(
      `| worker statements | ${n2(model.base.statements.workers)} | ${n2(model.perWorker.statements.workers)} |`,
      `| commits | ${n2(model.base.commits)} | ${n2(model.perWorker.commits)} |`,
      `| WAL bytes | ${n0(model.base.walBytes)} | ${n0(model.perWorker.walBytes)} |`,
    );
  // What the worker tier alone sustains, one core per worker: M / (base + perWorker × M) per µs.
  const workerTier = [1, 2, 4, 8, 16, 32].map((workers) => {
    const costs = costsAt(model, workers);
    return `| ${workers} | ${n1(costs.cpuUs.workers)} | ${n0((workers * 1e6) / costs.cpuUs.workers)}/s |`;
  });
  const workerCeiling = model.perWorker.cpuUs.workers > 0 ? 1e6 / model.perWorker.cpuUs.workers : null;
  const eventsPerFlush = measured.map((m) => 1 / m.costs.statements.api);

  const example: Cluster = {
    apiProcesses: 2,
    workerProcesses: 4,
    coresPerProcess: 1,
    databaseCommitsPerSec: 20_000,
    databaseWalMbPerSec: 100,
    databaseCores: 8,
  };
  const sized = predict(model, example);
  const exampleLimits = Object.entries(sized.limits)
    .map(([limit, rate]) => `| ${limit} | ${n0(rate)}/s |`)
    .join('\n');
  const exampleCosts = costsAt(model, example.workerProcesses);

  const doc = `# Sizing a Herald cluster on PostgreSQL

<!-- Generated by \`node --import tsx bench/scaling.ts ${source}\`; edit bench/lib/scaling-doc.ts, not this file. A complete full run (\`npm run bench\`) rewrites it. -->

When one machine is not enough, Herald runs as API processes (\`herald serve --no-workers\`) and
worker processes (\`herald worker\`) sharing one PostgreSQL database. What such a cluster sustains
follows from what one delivered event costs, which the benchmark measures (\`postgres\` scenario,
\`npm run bench -- --only postgres\`), and from what your machines and database offer.

## What one delivered event costs

Measured on ${results.machine.cpus} cores (${results.machine.cpuModel}), ${results.date}, \`${results.command}\`
(${results.mode} mode, ${results.sizes.postgresEvents?.toLocaleString('en')} single-event publishes from 64 clients to
one webhook, ~300-byte bodies; load average before → after the run ${results.machine.loadAverage ? `${n1(results.machine.loadAverage.start)} → ${n1(results.machine.loadAverage.end)}` : 'unknown'}).
Per delivered event:

| workers | rate | API CPU µs | workers CPU µs | PostgreSQL CPU µs | load generator + receiver CPU µs | API statements | worker statements | commits | rows written | WAL records | WAL bytes |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${costRows.map((row) => `| ${row} |`).join('\n')}

How each is measured (bench/scenarios/shared/postgres-herald.ts), over the window from the first
publish to the last delivery:

- **CPU**: user + system time from \`/proc/<pid>/stat\` (all threads) of the API process, of every
  worker process, and of the PostgreSQL backends serving the benchmark's database (found in
  \`pg_stat_activity\`); the server's shared background processes (WAL writer, checkpointer) are
  not counted. The load generator and receiver run on the same machine here; in production they are
  your publishers and your customers' endpoints.
- **Statements**: counted in each Herald process by a preloaded module
  (\`bench/lib/count-statements.cjs\`) that wraps \`pg\`'s \`Client#query\`; \`pg_stat_statements\` is not
  loaded on the benchmark's server, and loading it needs a restart.
- **Commits and rows written**: \`pg_stat_database\` for the benchmark's own database
  (\`xact_commit\`; \`tup_inserted + tup_updated + tup_deleted\`), read before the run and after the
  Herald processes exit (a backend flushes its statistics as it exits).
- **WAL**: \`pg_stat_wal\` (\`wal_records\`, \`wal_bytes\`). It covers the whole server, so on a shared
  server other databases' writes during the window count too: an upper bound.

## The model

For N API processes and M worker processes, each able to use \`u\` cores (1: a Node process is bound
by its main thread; less if its machine has fewer cores than Herald processes), and a PostgreSQL
server that sustains X commits/s, Y MB/s of WAL and has D cores, the sustainable delivery rate is

\`\`\`
rate = min( N × u / api_cpu,           API processes
            M × u / worker_cpu,        worker processes (worker_cpu: all workers' CPU per event)
            X / commits,               PostgreSQL commits
            Y / wal_bytes,             PostgreSQL WAL
            D / postgres_cpu )         PostgreSQL CPU
\`\`\`

where each cost per event is the straight line through the measured layouts, in the number of
workers M: \`cost(M) = base + per_worker × M\` (least squares over ${model.fittedTo.join(', ')} workers).
Every worker wakes for every publish flush and claims, writes its outcomes and aims its due timer
on its own, so the same flow costs more statements, commits and CPU per event the more workers
share it:

| per delivered event | base | per worker |
|---|---:|---:|
${growth.join('\n')}

X and Y are your server's: \`pgbench\` with a one-row-insert script gives X, the disk's sustained
synchronous write rate Y.

**Workers stop paying.** The worker tier alone, one core per worker, sustains
M × 10⁶ / (base + per_worker × M) deliveries/s (costs in µs), which approaches 10⁶ / per_worker
however many workers there are${workerCeiling === null ? '' : ` (here ${n0(workerCeiling)}/s)`}:

| workers | their CPU per event µs | worker tier limit |
|---:|---:|---:|
${workerTier.join('\n')}

The per-worker costs were measured with publish flushes of about ${eventsPerFlush.map(n1).join(', ')} events (one API
process; ${measured.map((m) => m.workers).join(', ')} workers), on ${cores} cores where every extra process also competes for the cores: an
upper bound for workers on cores of their own. A flush wakes every worker, so API processes that
each flush fewer events (a smaller share of the publishes each) raise the per-worker costs in
proportion, and larger flushes lower them.

Example: ${example.apiProcesses} API and ${example.workerProcesses} worker processes on machines with a core each to spare, a
PostgreSQL of ${example.databaseCores} cores sustaining ${n0(example.databaseCommitsPerSec)} commits/s and ${example.databaseWalMbPerSec} MB/s of WAL, each cost taken at
M = ${example.workerProcesses}:

| limit | deliveries/s |
|---|---:|
${exampleLimits}

so about **${n0(sized.rate)} deliveries/s**, bound by ${sized.bound}. With ${n2(exampleCosts.commits)} commits and
${n0(exampleCosts.walBytes)} WAL bytes per event, more Herald processes stop helping at
${n0(sized.limits['PostgreSQL commits'] ?? 0)}/s (commits), ${n0(sized.limits['PostgreSQL CPU'] ?? 0)}/s (database CPU) or ${n0(sized.limits['PostgreSQL WAL'] ?? 0)}/s (WAL) on that server.

The costs per event are those of a saturated cluster. Below saturation, Herald's group commit and
claims gather fewer events per statement, so each event costs more statements, commits and CPU
(here: ${measured.map((m) => `${n1(1 / m.costs.commits)} events a commit with ${m.workers} worker${m.workers > 1 ? 's' : ''}`).join(', ')}): the model
then overstates the CPU a given rate needs, which errs on the safe side.

## Checked against this machine

On the benchmark's machine every process shares its ${cores} cores, so the model becomes
min(API process, worker processes, cores ÷ all CPU per event, the load generator, receiver and
database server's included). Each layout is predicted by the model fitted to the *other* layouts
only, so the error is that of a worker count the model has not seen. With the nominal ${cores} cores, and with the
cores the run actually got (every measured process's CPU over the run's window: less than ${cores}
when other work shares the machine):

| predicted | fitted to (workers) | measured | predicted, ${cores} cores | error | cores the run got | predicted, those cores | error |
|---|---:|---:|---:|---:|---:|---:|---:|
${checks.join('\n')}

${
  // The load before the run: by its end, the benchmark's own processes are in the load average.
  results.machine.loadAverage && results.machine.loadAverage.start > cores / 2
    ? `**The machine was shared with other work during this run** (load average above ${cores / 2} before it): the
benchmark's processes got a fraction of its cores, so the rates are far below a quiet machine's and
the batches small, which makes every per-event cost above higher than a quiet run measures. The
nominal-core prediction overstates what the run could reach; the error with the cores it got is the
one that tests the model. Regenerate this page from a full run on a quiet machine.`
    : 'The machine was otherwise idle during this run.'
}
`;

  return doc;
}
