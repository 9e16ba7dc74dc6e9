/**
 * Summarizes a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): the functions with the most self
 * time, and the time spent inside each of Herald's source files (inclusive of what they call).
 * Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const selfMs = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
}
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

const where = (node: ProfileNode) => {
  const url = node.callFrame.url.replace(/^file:\/\//, '');
  const short = url.includes('/node_modules/')
    ? url.slice(url.lastIndexOf('/node_modules/') + 14)
    : url.replace(/^.*\/dist\//, 'dist/');
  return `${node.callFrame.functionName || '(anonymous)'} ${short}:${node.callFrame.lineNumber + 1}`;
};

const selfByFrame = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const node = byId.get(id);
  if (node) selfByFrame.set(where(node), (selfByFrame.get(where(node)) ?? 0) + ms);
}

/** Inclusive time per area: Herald's own files under dist/, each dependency, node internals, GC, idle. */
const area = (node: ProfileNode): string => {
  const url = node.callFrame.url;
  if (url.includes('/node_modules/')) return `dep:${url.split('/node_modules/')[1]?.split('/')[0]}`;
  if (url.includes('/dist/')) return `herald:${url.replace(/^.*\/dist\//, '')}`;
  if (url.startsWith('node:')) return 'node-internals';
  return node.callFrame.functionName ? `(${node.callFrame.functionName})` : '(native)';
};
const inclusive = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (!node) break;
    const name = area(node);
    if (!seen.has(name)) {
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }
}

const pct = (ms: number) => `${((ms / total) * 100).toFixed(1).padStart(5)} %`;
process.stdout.write(`${file}: ${(total / 1000).toFixed(1)} s sampled\n\nSelf time, top ${top}:\n`);
for (const [name, ms] of [...selfByFrame].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${pct(ms)}  ${name}\n`);
}
process.stdout.write(`\nInclusive time by area, top ${top}:\n`);
for (const [name, ms] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${pct(ms)}  ${name}\n`);
}
