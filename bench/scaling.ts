/**
 * Writes docs/scaling.md from a benchmark result file that ran the `postgres` scenario:
 * `node --import tsx bench/scaling.ts bench/results/<date>-<mode>.json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ROOT } from './lib/herald.js';
import type { BenchResults } from './lib/report.js';
import { scalingMarkdown } from './lib/scaling-doc.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node --import tsx bench/scaling.ts <results.json>\n');
  process.exit(2);
}
const source = relative(ROOT, resolve(file));
const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
writeFileSync(join(ROOT, 'docs/scaling.md'), scalingMarkdown(results, source));
process.stdout.write(`docs/scaling.md written from ${source}\n`);
