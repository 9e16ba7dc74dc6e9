/**
 * Figures across scenarios of one benchmark run: Herald against its references and peers, and its
 * CPU per delivered event against the bare sender's and receiver's. Issue 16's targets are judged
 * here; a comparison whose figures are missing (a scenario skipped or failed) says so.
 */
import type { FigureResult } from '../lib/report.js';
import { spread } from '../lib/stats.js';

/** A figure of this run: scenario id and figure key. */
type Ref = readonly [scenario: string, key: string];

interface Comparison {
  label: string;
  /** Summed. */
  numerator: Ref[];
  /** Summed; or, with `best`, the largest of them (named in the label). */
  denominator: Ref[];
  best?: boolean;
  target?: { text: string; met(value: number): boolean };
}

const CEILING_CPU: Ref[] = [
  ['ceiling', 'senderCpuUs'],
  ['ceiling', 'receiverCpuUs'],
];
const PEERS = ['graphile-worker', 'pg-boss'];
const bestPeer = (key: string): Ref[] => PEERS.map((peer) => [peer, key] as const);
const atLeast = (min: number) => ({ text: `≥ ${min} ×`, met: (value: number) => value >= min });

const COMPARISONS: Comparison[] = [
  {
    label: 'Herald single-event ÷ BullMQ deliveries/s',
    numerator: [['throughput-single', 'deliveries']],
    denominator: [['bullmq', 'deliveries']],
    target: { text: '≥ 2 × (and durable where BullMQ is not)', met: (value) => value >= 2 },
  },
  {
    label: 'Herald single-event ÷ relay deliveries/s',
    numerator: [['throughput-single', 'deliveries']],
    denominator: [['relay', 'deliveries']],
    target: atLeast(0.9),
  },
  {
    label: 'Herald PostgreSQL, 2 workers ÷ best peer, one insert per publish',
    numerator: [['postgres', 'workers2']],
    denominator: bestPeer('single'),
    best: true,
    target: atLeast(2),
  },
  {
    label: 'Herald PostgreSQL, 2 workers ÷ best peer, batched publishes',
    numerator: [['postgres', 'workers2']],
    denominator: bestPeer('batched'),
    best: true,
    target: atLeast(1.2),
  },
  {
    label: 'Herald PostgreSQL, 2 workers ÷ relay-postgres',
    numerator: [['postgres', 'workers2']],
    denominator: [['relay-postgres', 'deliveries']],
    target: atLeast(0.9),
  },
  {
    label: 'Herald PostgreSQL backlog drain, 2 workers ÷ best peer',
    numerator: [['postgres-backlog', 'drain']],
    denominator: bestPeer('drain'),
    best: true,
    target: atLeast(1.5),
  },
  {
    label: 'Herald PostgreSQL backlog drain, 2 workers ÷ relay-postgres drain',
    numerator: [['postgres-backlog', 'drain']],
    denominator: [['relay-postgres', 'drain']],
  },
  {
    label:
      'relay-postgres backlog drain ÷ best peer: what the featureless reference reaches against the same peers',
    numerator: [['relay-postgres', 'drain']],
    denominator: bestPeer('drain'),
    best: true,
  },
  {
    label: 'CPU cost, SQLite: Herald CPU per delivered event ÷ (bare sender + bare receiver CPU per request)',
    numerator: [['throughput-single', 'cpuUs']],
    denominator: CEILING_CPU,
    target: { text: '≤ 1.3 ×', met: (value) => value <= 1.3 },
  },
  {
    label:
      'CPU cost of the minimal durable relay (`relay`), the same way: what storing and sending alone cost here',
    numerator: [['relay', 'cpuUs']],
    denominator: CEILING_CPU,
  },
  {
    label: 'CPU cost, PostgreSQL 2 workers: API + workers ÷ (bare sender + bare receiver)',
    numerator: [
      ['postgres', 'apiCpuUs2'],
      ['postgres', 'workerCpuUs2'],
    ],
    denominator: CEILING_CPU,
  },
  {
    label: 'CPU cost, PostgreSQL 2 workers: API process alone ÷ (bare sender + bare receiver)',
    numerator: [['postgres', 'apiCpuUs2']],
    denominator: CEILING_CPU,
  },
  {
    label: 'CPU cost, PostgreSQL 2 workers: worker processes ÷ (bare sender + bare receiver)',
    numerator: [['postgres', 'workerCpuUs2']],
    denominator: CEILING_CPU,
  },
];

export const COMPARISONS_SCENARIO = 'comparisons';
const TITLE = 'Ratios across the scenarios of this run (issue 16)';

/** The comparisons whose scenarios ran in this benchmark, from the medians of `figures`. */
export function comparisons(figures: FigureResult[]): FigureResult[] {
  const ran = new Set(figures.map((figure) => figure.scenario));
  const find = ([scenario, key]: Ref) => figures.find((f) => f.scenario === scenario && f.key === key);
  const results: FigureResult[] = [];
  for (const comparison of COMPARISONS) {
    const refs = [...comparison.numerator, ...comparison.denominator];
    if (!refs.some(([scenario]) => ran.has(scenario) && scenario !== 'ceiling')) continue;
    const base = {
      scenario: COMPARISONS_SCENARIO,
      scenarioTitle: TITLE,
      unit: '×',
      ...(comparison.target ? { target: comparison.target.text } : {}),
    };
    const present = (ref: Ref) => find(ref)?.spread !== undefined;
    const denominators = comparison.denominator.filter(present);
    // The best peer needs one peer's figure, not every one.
    const lacking = [
      ...comparison.numerator.filter((ref) => !present(ref)),
      ...(comparison.best && denominators.length > 0
        ? []
        : comparison.denominator.filter((ref) => !present(ref))),
    ];
    const [first] = lacking;
    if (first) {
      const [scenario, key] = first;
      const figure = find(first);
      results.push({
        ...base,
        figure: comparison.label,
        status: figure?.status === 'failed' ? 'failed' : 'skipped',
        reason: ran.has(scenario)
          ? `${scenario} ${key}: ${figure?.reason ?? 'missing'}`
          : `${scenario} did not run`,
        met: null,
      });
      continue;
    }
    const median = (ref: Ref) => find(ref)?.spread?.median ?? Number.NaN;
    const sum = (refs: Ref[]) => refs.reduce((total, ref) => total + median(ref), 0);
    const best = denominators.reduce((a, b) => (median(b) > median(a) ? b : a), denominators[0] as Ref);
    const value = sum(comparison.numerator) / (comparison.best ? median(best) : sum(comparison.denominator));
    results.push({
      ...base,
      figure: comparison.best
        ? comparison.label.replace('best peer', `best peer (${best[0]})`)
        : comparison.label,
      status: 'ok',
      spread: spread([value]),
      met: comparison.target ? comparison.target.met(value) : null,
    });
  }
  return results;
}
