/**
 * Writes BENCHMARKS.md from result files: `node --import tsx bench/summary.ts bench/results/<a>.json [<b>.json …]`.
 * A complete full run writes it by itself; this combines runs (e.g. a full throughput run and a quick
 * run of the rest) and rewrites it after a run made with --no-summary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ROOT } from './lib/herald.js';
import { type BenchResults, benchmarksMarkdown } from './lib/report.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node --import tsx bench/summary.ts <results.json> [more.json …]\n');
  process.exit(2);
}
const sources = files.map((file) => ({
  results: JSON.parse(readFileSync(file, 'utf8')) as BenchResults,
  file: relative(ROOT, resolve(file)).replace(/\.json$/, '.md'),
}));
writeFileSync(join(ROOT, 'BENCHMARKS.md'), benchmarksMarkdown(sources));
process.stdout.write(`BENCHMARKS.md written from ${files.length} result file(s)\n`);
