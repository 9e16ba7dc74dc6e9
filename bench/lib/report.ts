/** The results: JSON for machines, a Markdown table for people, and the BENCHMARKS.md summary. */
import { writeFileSync } from 'node:fs';
import type { Spread } from './stats.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  commit: string;
  /** One-minute load average when the benchmark started and ended: other work on the machine shows here. */
  loadAverage?: { start: number; end: number };
  redisPersistence: string;
}

export interface FigureResult {
  scenario: string;
  scenarioTitle: string;
  /** The scenario's key for the figure (absent for figures from before issue 16, and across scenarios). */
  key?: string;
  figure: string;
  unit: string;
  status: 'ok' | 'failed' | 'skipped';
  /** Why a scenario failed or was skipped. */
  reason?: string;
  spread?: Spread;
  /** Median over the ceiling's median, for Herald throughput figures. */
  ratio?: number | null;
  target?: string;
  met?: boolean | null;
}

export interface BenchResults {
  mode: 'quick' | 'full';
  date: string;
  /** The Herald build measured: dist, or the --dist directory. */
  build?: string;
  command: string;
  durationSeconds: number;
  machine: Machine;
  sizes: Record<string, number>;
  figures: FigureResult[];
  runs: {
    scenario: string;
    run: number;
    ok: boolean;
    error?: string;
    values?: Record<string, number>;
    details?: unknown;
  }[];
}

function number(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === '×') return value.toFixed(2);
  if (unit === 'ms' || unit === 'µs')
    return value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en');
  return Math.round(value).toLocaleString('en');
}

export function table(results: BenchResults): string {
  const rows = [
    '| Scenario | Figure | Median | Min–max | Ratio to ceiling | Target | Met |',
    '|---|---|---:|---:|---:|---|:---:|',
  ];
  let lastReason: string | undefined;
  for (const figure of results.figures) {
    const unit = figure.unit === '/s' ? '/s' : figure.unit === '×' ? '' : ` ${figure.unit}`;
    if (figure.status !== 'ok' || !figure.spread) {
      const what = figure.status === 'skipped' ? 'skipped' : '**FAILED**';
      const reason = figure.reason === lastReason ? '(same)' : (figure.reason ?? '');
      lastReason = figure.reason;
      rows.push(
        `| ${figure.scenario} | ${figure.figure} | ${what} | ${reason} | | ${figure.target ?? ''} | ${figure.target ? '—' : ''} |`,
      );
      continue;
    }
    lastReason = undefined;
    const { median, min, max, runs } = figure.spread;
    const range = runs.length > 1 ? `${number(min, figure.unit)}–${number(max, figure.unit)}` : '(1 run)';
    const ratio = figure.ratio === undefined || figure.ratio === null ? '' : `${figure.ratio.toFixed(2)}×`;
    const met = figure.met === undefined || figure.met === null ? '' : figure.met ? 'yes' : '**no**';
    const note = figure.reason ? ` (⚠ ${figure.reason})` : '';
    rows.push(
      `| ${figure.scenario} | ${figure.figure}${note} | ${number(median, figure.unit)}${unit} | ${range} | ${ratio} | ${figure.target ?? ''} | ${met} |`,
    );
  }
  return rows.join('\n');
}

function machineLine(machine: Machine): string {
  return `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, Node ${machine.node}, ${machine.platform}`;
}

export function resultsMarkdown(results: BenchResults): string {
  return `# Herald benchmark — ${results.mode} — ${results.date}

- Machine: ${machineLine(results.machine)}
- Herald build: ${results.build ?? 'dist'}; working tree at commit ${results.machine.commit}
- Command: \`${results.command}\` (${Math.round(results.durationSeconds)} s)
- Sizes: ${Object.entries(results.sizes)
    .map(([key, value]) => `${key} ${value.toLocaleString('en')}`)
    .join(', ')}

${table(results)}

Median over the runs, min–max across them; ratios divide a median by the ceiling's median from
this same benchmark run. Per-run details (publish rates, response times, duplicates, RSS) are in the
JSON file beside this one.
`;
}

export function writeResults(base: string, results: BenchResults): void {
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${base}.md`, resultsMarkdown(results));
}

/** BENCHMARKS.md from one or more result files (e.g. a full run, and a quick one for what it lacked). */
export function benchmarksMarkdown(sources: { results: BenchResults; file: string }[]): string {
  const latest = sources.at(-1)?.results;
  if (!latest) throw new Error('no results to summarize');
  const sections = sources.map(({ results, file }) => {
    const heading =
      sources.length > 1 ? `## ${results.mode === 'full' ? 'Full' : 'Quick'} run, ${results.date}\n\n` : '';
    return `${heading}- Date: ${results.date}
- Machine: ${machineLine(results.machine)}
- Herald build: ${results.build ?? 'dist'}; working tree at commit ${results.machine.commit}
- Command: \`${results.command}\` (${Math.round(results.durationSeconds / 60)} min)
- Full results: [\`${file}\`](${file}) and the \`.json\` beside it

${table(results)}
`;
  });
  return `# Benchmarks

Reproduce with \`npm run build && npm run bench\` (full mode: several runs per scenario;
\`npm run bench -- --quick\` is the small, one-run version CI uses to keep the harness working). The
harness (\`bench/\`, see \`bench/README.md\`) starts everything on loopback — a \`node:http\` receiver,
Herald as users run it (\`node dist/cli/main.js serve\` on a fresh SQLite file per run, or
\`serve --no-workers\` + \`herald worker\` processes on PostgreSQL), load generators in their own
processes, deliverers built on BullMQ, graphile-worker and pg-boss for comparison — and stops it all
at the end. The \`comparisons\` rows divide figures of the same run (issue 16's targets).

Every figure is the median of the runs, with min–max across them. Herald throughput figures are also
given as a ratio to the **ceiling** measured in the same benchmark run: a bare \`undici.request\` sender
POSTing the same ~300-byte body to the same receiver, with no storage at all. Absolute numbers drift on
shared machines; ratios much less so. A target that is not met says **no**; a scenario that failed or
was skipped says so with its reason.

${sections.join('\n')}
## Caveats

${caveats(
  latest,
  sources.map((source) => source.results),
)
  .map((line) => `- ${line}`)
  .join('\n')}
`;
}

function caveats(results: BenchResults, all: BenchResults[]): string[] {
  const loads = all.flatMap((one) => (one.machine.loadAverage ? [one.machine.loadAverage] : []));
  const described = loads.map((load) => `${load.start.toFixed(1)} → ${load.end.toFixed(1)}`).join(', then ');
  // Only the load before a run tells of other work: by its end, the benchmark's own processes are in it.
  const busy = loads.some((load) => load.start > results.machine.cpus / 2)
    ? [
        `Other work was running on the machine: the one-minute load average (before → at the end of each run, the benchmark's own load included) was ${described}, on ${results.machine.cpus} cores. Absolute figures are depressed and noisy; the ratios to the ceiling of the same run are the figures to read.`,
      ]
    : [];
  return [
    ...busy,
    `Everything shares one ${results.machine.cpus}-core machine: the load generator, the receiver and Herald compete for the same cores, so end-to-end figures are bounded well below the ceiling (which itself uses one core for the sender and one for the receiver).`,
    'The ceiling is a bare `undici.request` loop (64 connections) with no storage, signing or retries; it bounds what any Node sender can do here, not what Herald should be expected to match.',
    'Herald runs with its defaults (every 202 waits for an fsync of the SQLite write-ahead log: it is on disk), except `HERALD_DELIVERY_TIMEOUT=2s` in the isolation scenario and `HERALD_RETRY_SCHEDULE` of 100 × 1 s in the backlog one.',
    "The load generator publishes with undici's `dispatch` API, which takes about half the CPU per request of `undici.request`, so it leaves more of the shared cores to what it measures; the BullMQ peer is driven by the same client. The ceiling keeps `undici.request`, as issue 5 defines it.",
    'Throughput is measured at the receiver, from the first to the last receipt, so it includes the warm-up and the tail; the steady-state rate (10th–90th percentile of arrivals) is in the JSON.',
    `The backlog scenario runs once (${results.sizes.backlogDeliveries?.toLocaleString('en')} deliveries queued while the receiver refuses connections; Herald keeps retrying them, each refused attempt recorded); its RSS is the peak over the whole run (VmHWM).`,
    `The BullMQ peer is what a Node team would write (node:http + \`queue.add\` per publish + a Worker with concurrency ${results.sizes.peerConcurrency ?? '?'} posting with undici). Redis here: ${results.machine.redisPersistence} — an acknowledged job is not durable, unlike a Herald 202.`,
    'The PostgreSQL peers (`graphile-worker`, `pg-boss`) are what a Node team would build on those queues, laid out as Herald is in `postgres` (an API process answering 202 after its insert, 2 worker processes posting with `undici.request`), each on its own database with the settings their documentation advises (see `bench/README.md`); "batched publishes" lets their API insert, in one statement, every publish that arrived while the previous insert ran, as Herald\'s does.',
    "The CPU-cost rows do not depend on how the cores are shared: Herald's CPU time per delivered event (utime + stime from `/proc/<pid>/stat` of every Herald process, all threads, from the first publish to the last delivery) divided by the CPU the bare sender and the bare receiver of `ceiling` spent per request in the same run.",
    "The minimal durable relay (`relay`) is a reference, not a competitor: Herald's storage design (group commit, fdatasync before the 202, a worker-thread sender) with none of its features (no authentication, validation, framework, retries, lanes or history). Its ratio estimates how far the single-event path can go on this machine with durable storage; `relay-postgres` does the same for PostgreSQL with two worker processes.",
    'Latency is publish (just before the request leaves the load generator) to receipt (when the receiver has read the body), both stamped with the same machine clock.',
  ];
}
