/**
 * `npm run bench [-- options]`: Herald's benchmark harness (issue 5). Starts a receiver, load
 * generators and Herald itself on loopback, runs the scenarios, writes bench/results/<date>-<mode>.{json,md}
 * and, after a complete full run, BENCHMARKS.md. Every process it starts is stopped at the end, on
 * failure and on Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI, ROOT, selectBuild } from './lib/herald.js';
import { installCleanup, stopAll } from './lib/procs.js';
import {
  type BenchResults,
  benchmarksMarkdown,
  type FigureResult,
  type Machine,
  table,
  writeResults,
} from './lib/report.js';
import { Remote } from './lib/rpc.js';
import { scalingMarkdown } from './lib/scaling-doc.js';
import { spread } from './lib/stats.js';
import { comparisons } from './scenarios/comparisons.js';
import { SCENARIOS } from './scenarios/index.js';
import type { Context, RunResult } from './scenarios/scenario.js';
import { FULL, QUICK, type Sizes } from './scenarios/sizes.js';

const HELP = `Usage: npm run bench [-- options]

  --quick                 small counts, one run each (about 2 minutes; what CI runs)
  --runs N                runs per scenario in full mode (default 3)
  --only a,b              run only these scenarios (${SCENARIOS.map((s) => s.id).join(', ')});
                          the ceiling always runs, since every ratio needs it
  --skip a,b              leave these scenarios out
  --size key=value        override a size, e.g. --size backlogDeliveries=200000 (repeatable)
  --cpu-prof              run Herald under node --cpu-prof; profiles land in bench/results/profiles/
  --postgres URL          PostgreSQL server for the PostgreSQL scenario (default postgres://postgres@127.0.0.1:5432/postgres)
  --redis host:port       Redis for the BullMQ peer (default 127.0.0.1:6379)
  --peer-concurrency N    BullMQ Worker concurrency (default 100)
  --no-summary            do not rewrite BENCHMARKS.md after a full run
  --keep                  keep the temporary directory (databases, Herald logs)
  --dist DIR              the Herald build to run (default dist/), e.g. a copy built from another commit

Needs a built Herald (npm run build). Writes bench/results/<date>-<mode>.json and .md.`;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    skip: { type: 'string' },
    size: { type: 'string', multiple: true },
    'cpu-prof': { type: 'boolean', default: false },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    redis: { type: 'string', default: '127.0.0.1:6379' },
    'peer-concurrency': { type: 'string', default: '100' },
    'no-summary': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    dist: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const RESULTS_DIR = join(ROOT, 'bench/results');
const started = Date.now();
const loadAtStart = loadavg()[0] ?? 0;
const mode = args.quick ? 'quick' : 'full';
const fullRuns = args.quick ? 1 : Number(args.runs ?? 3);
const list = (text: string | undefined) => new Set((text ?? '').split(',').filter(Boolean));
const only = list(args.only);
const skipped = list(args.skip);
for (const id of [...only, ...skipped]) {
  if (!SCENARIOS.some((scenario) => scenario.id === id)) throw new Error(`no scenario "${id}"`);
}

function sizes(): Sizes {
  const chosen: Sizes = { ...(args.quick ? QUICK : FULL) };
  for (const pair of args.size ?? []) {
    const [key, value] = pair.split('=');
    if (!key || !(key in chosen) || !value || !Number.isFinite(Number(value))) {
      throw new Error(`--size ${pair}: expected one of ${Object.keys(chosen).join(', ')} = a number`);
    }
    chosen[key as keyof Sizes] = Number(value);
  }
  return chosen;
}

function log(line: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds}s] ${line}\n`);
}

const git = (...gitArgs: string[]) =>
  spawnSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
/** The commit the benchmark started on (others may commit while it runs). */
const commitAtStart = `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${
  git('status', '--porcelain', '--untracked-files=no') !== '' ? ' with uncommitted changes' : ''
}`;

function machine(): Machine {
  const redisConfig = (name: string) => {
    const answer = spawnSync('redis-cli', ['config', 'get', name], { encoding: 'utf8' });
    return answer.status === 0 ? (answer.stdout.split('\n')[1] ?? '').trim() : null;
  };
  const appendonly = redisConfig('appendonly');
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    commit: commitAtStart,
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    redisPersistence:
      appendonly === null
        ? 'unknown (redis-cli not found)'
        : `appendonly ${appendonly}, save "${redisConfig('save') ?? ''}"`,
  };
}

/** Newest modification time of the files under `dir` whose names end with `suffix`. */
function newest(dir: string, suffix: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

async function main(): Promise<number> {
  if (args.dist) selectBuild(resolve(args.dist));
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing; run \`npm run build\` first.\n`);
    return 2;
  }
  // Against the newest compiled file, not main.js: an incremental build rewrites only what changed.
  if (!args.dist && newest(join(ROOT, 'src'), '.ts') > newest(join(ROOT, 'dist'), '.js')) {
    log(
      'WARNING: src/ has changed since dist/ was built; these figures describe dist/ (run `npm run build`).',
    );
  }
  const workDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  removeOnSignal = args.keep ? null : workDir;
  const profileDir = join(RESULTS_DIR, 'profiles');
  if (args['cpu-prof']) mkdirSync(profileDir, { recursive: true });
  log(`${mode} benchmark; working directory ${workDir}`);

  const receiver = await Remote.start('receiver', './receiver.ts');
  const loadgen = await Remote.start('load generator', './loadgen.ts');
  const { port } = await receiver.call<{ port: number }>('start');
  const [redisHost = '127.0.0.1', redisPort = '6379'] = args.redis.split(':');
  const ctx: Context = {
    receiver,
    receiverUrl: `http://127.0.0.1:${port}`,
    loadgen,
    workDir,
    sizes: sizes(),
    quick: args.quick,
    heraldNodeArgs: args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    postgresUrl: args.postgres,
    redis: { host: redisHost, port: Number(redisPort) },
    peerConcurrency: Number(args['peer-concurrency']),
    log,
  };

  const figures: FigureResult[] = [];
  const runs: BenchResults['runs'] = [];
  const chosen = SCENARIOS.filter(
    (scenario) =>
      scenario.id === 'ceiling' || ((only.size === 0 || only.has(scenario.id)) && !skipped.has(scenario.id)),
  );

  for (const scenario of chosen) {
    const count = scenario.runs(ctx, fullRuns);
    log(`${scenario.id}: ${scenario.title} (${count} run${count > 1 ? 's' : ''})`);
    const base = { scenario: scenario.id, scenarioTitle: scenario.title };
    let reason: string | null = null;
    let status: 'skipped' | 'failed' = 'skipped';
    try {
      reason = (await scenario.skip?.(ctx)) ?? null;
    } catch (error) {
      status = 'failed';
      reason = `could not start: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (reason) {
      log(`  ${status}: ${reason}`);
      for (const figure of scenario.figures) {
        const { label, unit } = figure;
        figures.push({
          ...base,
          key: figure.key,
          figure: label,
          unit,
          status,
          reason: oneLine(reason),
          target: figure.target?.text,
        });
      }
      continue;
    }
    const results: RunResult[] = [];
    const errors: string[] = [];
    let state: unknown;
    try {
      state = await scenario.setup?.(ctx);
      for (let run = 1; run <= count; run++) {
        try {
          const result = await scenario.measure(ctx, run, state);
          results.push(result);
          runs.push({ scenario: scenario.id, run, ok: true, values: result.values, details: result.details });
          const shown = Object.entries(result.values).map(([key, value]) => `${key} ${value.toFixed(1)}`);
          log(`  run ${run}: ${shown.join(', ')}`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          errors.push(message);
          runs.push({ scenario: scenario.id, run, ok: false, error: message });
          log(`  run ${run} FAILED: ${message}`);
        }
      }
    } catch (error) {
      errors.push(`setup: ${error instanceof Error ? error.message : String(error)}`);
      log(`  setup FAILED: ${errors.at(-1)}`);
    } finally {
      await scenario
        .teardown?.(ctx, state)
        .catch((error: unknown) => log(`  teardown failed: ${String(error)}`));
    }
    for (const figure of scenario.figures) {
      const values = results
        .map((result) => result.values[figure.key])
        .filter((v): v is number => v !== undefined);
      if (values.length === 0) {
        figures.push({
          ...base,
          key: figure.key,
          figure: figure.label,
          unit: figure.unit,
          status: 'failed',
          reason: oneLine(errors[0]),
          target: figure.target?.text,
        });
        continue;
      }
      figures.push({
        ...base,
        key: figure.key,
        figure: figure.label,
        unit: figure.unit,
        status: 'ok',
        spread: spread(values),
        target: figure.target?.text,
        ...(errors.length > 0
          ? { reason: `${errors.length} of ${count} runs failed: ${oneLine(errors[0])}` }
          : {}),
        ...(figure.ratio ? { ratio: Number.NaN } : {}),
      });
    }
  }

  // Ratios to the ceiling of this same run, then the targets.
  const ceilingMedian =
    figures.find((f) => f.scenario === 'ceiling' && f.status === 'ok')?.spread?.median ?? null;
  for (const figure of figures) {
    if (figure.ratio !== undefined)
      figure.ratio = ceilingMedian && figure.spread ? figure.spread.median / ceilingMedian : null;
    const spec = SCENARIOS.find((s) => s.id === figure.scenario)?.figures.find(
      (f) => f.label === figure.figure,
    );
    if (spec?.target) {
      figure.met = figure.spread ? spec.target.met(figure.spread.median, figure.ratio ?? null) : null;
    }
  }
  figures.push(...comparisons(figures));

  const date = new Date().toISOString();
  const results: BenchResults = {
    mode,
    date,
    build: args.dist ? relative(ROOT, resolve(args.dist)) : 'dist',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    durationSeconds: (Date.now() - started) / 1000,
    machine: machine(),
    sizes: { ...ctx.sizes, runsPerScenario: fullRuns, peerConcurrency: ctx.peerConcurrency },
    figures,
    runs,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const base = join(RESULTS_DIR, `${date.slice(0, 19).replace(/:/g, '')}-${mode}`);
  writeResults(base, results);
  log(`results: ${relative(ROOT, base)}.md and .json`);
  const complete = only.size === 0 && skipped.size === 0;
  if (mode === 'full' && complete && !args['no-summary']) {
    const file = join(ROOT, 'BENCHMARKS.md');
    writeFileSync(file, benchmarksMarkdown([{ results, file: relative(ROOT, `${base}.md`) }]));
    log('summary: BENCHMARKS.md');
    if (results.runs.some((run) => run.scenario === 'postgres' && run.ok)) {
      writeFileSync(join(ROOT, 'docs/scaling.md'), scalingMarkdown(results, relative(ROOT, `${base}.json`)));
      log('capacity model: docs/scaling.md');
    }
  }
  process.stdout.write(`${table(results)}\n`);

  await stopAll();
  if (args.keep) log(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  return figures.some((f) => f.status === 'failed') ? 1 : 0;
}

/** A reason fit for a table cell: the first line, plus the line naming the error if that is another. */
function oneLine(text: string | undefined): string {
  const lines = (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const first = lines[0] ?? '';
  const error = lines.find((line, i) => i > 0 && /^(herald:|\w*Error\b)/.test(line));
  return `${first}${error ? ` ${error}` : ''}`.replace(/\|/g, '\\|').slice(0, 300);
}

/** The temporary directory to remove if the run is interrupted. */
let removeOnSignal: string | null = null;
installCleanup(async () => {
  await stopAll(5_000);
  if (removeOnSignal) rmSync(removeOnSignal, { recursive: true, force: true });
});
main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await stopAll();
    process.exit(1);
  },
);
