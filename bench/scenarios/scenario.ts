/**
 * What a scenario of issue 5 is to the harness (bench/run.ts). Each `measure` call is one run: it
 * starts what it needs (a fresh Herald on a fresh database, mostly), drives it with the load
 * generator, reads the receiver's figures, and stops what it started. Nothing asserts on time:
 * targets are judged in the report.
 */
import type { Remote } from '../lib/rpc.js';
import type { Sizes } from './sizes.js';

export interface Context {
  receiver: Remote;
  receiverUrl: string;
  loadgen: Remote;
  workDir: string;
  sizes: Sizes;
  quick: boolean;
  /** Extra node flags for Herald processes (e.g. --cpu-prof). */
  heraldNodeArgs: string[];
  postgresUrl: string;
  redis: { host: string; port: number };
  peerConcurrency: number;
  log(line: string): void;
}

/** One run's figures (keyed as the scenario declares them) and whatever explains them. */
export interface RunResult {
  values: Record<string, number>;
  details: Record<string, unknown>;
}

export interface FigureSpec {
  key: string;
  label: string;
  unit: string;
  /** Shown as a ratio to the ceiling of the same benchmark run. */
  ratio?: boolean;
  /** Issue 5's target, as text and as a check on the median (and its ratio). */
  target?: { text: string; met(median: number, ratio: number | null): boolean };
}

export interface Scenario {
  id: string;
  title: string;
  figures: FigureSpec[];
  runs(ctx: Context, fullRuns: number): number;
  /** A reason to skip the scenario on this machine/build, or null. */
  skip?(ctx: Context): Promise<string | null>;
  /** Once before the runs (e.g. registering 1,000 webhooks); its result is passed to each run. */
  setup?(ctx: Context): Promise<unknown>;
  measure(ctx: Context, run: number, state: unknown): Promise<RunResult>;
  teardown?(ctx: Context, state: unknown): Promise<void>;
}

/** A target's check: the median is at least `min` × the ceiling. */
export const ratioAtLeast = (min: number) => (_median: number, ratio: number | null) =>
  ratio !== null && ratio >= min;
