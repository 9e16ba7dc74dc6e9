import assert from 'node:assert/strict';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** `name{a="x",b="y"} 12` (labels optional, no timestamps: prom-client writes none). */
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** A float as Go parses it (Prometheus' own parser): NaN and Inf in any case, with a sign. */
function parseValue(text: string): number | null {
  if (/^nan$/i.test(text)) return Number.NaN;
  const infinite = /^([+-]?)inf$/i.exec(text);
  if (infinite) return infinite[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

/**
 * A small parser of Prometheus' text exposition format: every line must be a comment (# HELP,
 * # TYPE) or a sample, and every sample's metric must have been typed before it.
 */
export function parsePrometheus(text: string): Sample[] {
  const typed = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type?.[1]) {
      typed.add(type[1]);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const sample = SAMPLE_LINE.exec(line);
    assert.ok(sample?.[1] && sample[3], `not a Prometheus sample line: ${line}`);
    const name = sample[1];
    const family = name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(typed.has(name) || typed.has(family), `${name} has no # TYPE line before it`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(LABEL)) labels[key as string] = value as string;
    const value = parseValue(sample[3]);
    assert.ok(value !== null, `bad value in ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The one sample of `name` whose labels include `labels`; fails when there is none or several. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  assert.equal(found.length, 1, `one ${name}${JSON.stringify(labels)}, found ${found.length}`);
  return (found[0] as Sample).value;
}
