/**
 * The capacity model of docs/scaling.md: what Herald on PostgreSQL can sustain, from what one
 * delivered event costs (measured by the `postgres` scenario) and what the cluster offers.
 */

/** What one delivered event cost, measured over a window of a run (the capacity model's inputs). */
export interface PostgresCosts {
  events: number;
  seconds: number;
  /**
   * CPU per event of Herald's API process, of its workers together, of the server's backends of this
   * database, and of the harness's load generator and receiver (which share the machine here).
   */
  cpuUs: { api: number; workers: number; database: number; loadgen: number; receiver: number };
  /** Statements per event sent by the API process and by the workers (counted in each process). */
  statements: { api: number; workers: number };
  /** Per event, from pg_stat_database (this database only). */
  commits: number;
  rowsWritten: number;
  /** Per event, from pg_stat_wal: the whole server's, so other databases' writes in the window count too. */
  walRecords: number;
  walBytes: number;
}

/** What one delivered event costs, without the window it was measured over. */
export type PerEventCosts = Omit<PostgresCosts, 'events' | 'seconds'>;

/**
 * Per-event costs as a function of the number of worker processes M: base + perWorker × M. Each
 * worker wakes for every publish flush and claims, writes outcomes and aims its timer on its own,
 * so the same flow costs more statements, commits and CPU per event the more workers share it.
 */
export interface CostModel {
  base: PerEventCosts;
  perWorker: PerEventCosts;
  /** The layouts (worker counts) it was fitted to. */
  fittedTo: number[];
}

/** `shapes` (objects of one shape) folded leaf by leaf into one object of that shape. */
export function combineLeaves<T>(shapes: T[], leaf: (values: number[]) => number): T {
  const first = shapes[0] as T;
  if (typeof first === 'number') return leaf(shapes as number[]) as T;
  return Object.fromEntries(
    Object.keys(first as object).map((key) => [
      key,
      combineLeaves(
        shapes.map((shape) => (shape as Record<string, unknown>)[key]),
        leaf,
      ),
    ]),
  ) as T;
}

const withoutWindow = ({ events: _events, seconds: _seconds, ...costs }: PostgresCosts): PerEventCosts =>
  costs;

/**
 * Each cost fitted as a straight line in the worker count (least squares) over the measured
 * `layouts`; one layout gives a constant.
 */
export function fitCosts(layouts: { workers: number; costs: PostgresCosts }[]): CostModel {
  const xs = layouts.map((layout) => layout.workers);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const spread = xs.reduce((sum, x) => sum + (x - meanX) ** 2, 0);
  const mean = (ys: number[]) => ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = (ys: number[]) => {
    const meanY = mean(ys);
    return spread === 0
      ? 0
      : ys.reduce((sum, y, i) => sum + ((xs[i] as number) - meanX) * (y - meanY), 0) / spread;
  };
  const costs = layouts.map((layout) => withoutWindow(layout.costs));
  const perWorker = combineLeaves(costs, slope);
  const base = combineLeaves(costs, (ys) => mean(ys) - slope(ys) * meanX);
  return { base, perWorker, fittedTo: xs };
}

/** The model's costs per event with `workers` worker processes (none below zero). */
export function costsAt(model: CostModel, workers: number): PerEventCosts {
  return combineLeaves([model.base, model.perWorker], ([base, perWorker]) =>
    Math.max(0, (base as number) + (perWorker as number) * workers),
  );
}

export interface Cluster {
  apiProcesses: number;
  workerProcesses: number;
  /**
   * Cores one Herald process can use: 1 (a Node process is bound by its main thread) unless its
   * machine has fewer cores than Herald processes, then cores ÷ processes.
   */
  coresPerProcess: number;
  /** Commits per second the PostgreSQL server sustains (measured with e.g. pgbench on it). */
  databaseCommitsPerSec: number;
  /** WAL it writes per second, in MB (the disk's sustained synchronous write rate). */
  databaseWalMbPerSec: number;
  /** Cores of the PostgreSQL server. */
  databaseCores: number;
}

export interface Prediction {
  /** Deliveries per second: the smallest of the limits. */
  rate: number;
  /** The limit that binds. */
  bound: string;
  limits: Record<string, number>;
}

const smallest = (limits: Record<string, number>): Prediction => {
  const [bound, rate] = Object.entries(limits).reduce((a, b) => (b[1] < a[1] ? b : a));
  return { rate, bound, limits };
};

/** Deliveries/s for `cluster`, each delivered event costing what `model` says for its worker count. */
export function predict(model: CostModel, cluster: Cluster): Prediction {
  const costs = costsAt(model, cluster.workerProcesses);
  const perSecond = (cores: number, us: number) => (cores * 1e6) / us;
  return smallest({
    'API processes (CPU)': perSecond(cluster.apiProcesses * cluster.coresPerProcess, costs.cpuUs.api),
    'worker processes (CPU)': perSecond(
      cluster.workerProcesses * cluster.coresPerProcess,
      costs.cpuUs.workers,
    ),
    'PostgreSQL commits': cluster.databaseCommitsPerSec / costs.commits,
    'PostgreSQL WAL': (cluster.databaseWalMbPerSec * 1e6) / costs.walBytes,
    'PostgreSQL CPU': perSecond(cluster.databaseCores, costs.cpuUs.database),
  });
}

/** CPU per event of everything that shares this benchmark's machine: Herald, the server, load generator, receiver. */
export function machineCpuUs(costs: PerEventCosts): number {
  const { api, workers, database, loadgen, receiver } = costs.cpuUs;
  return api + workers + database + loadgen + receiver;
}

/**
 * The same model on one machine of `cores` cores shared by every process (this benchmark's case):
 * the per-process limits, and all CPU per event together against the machine's cores.
 */
export function predictOneMachine(model: CostModel, workers: number, cores: number): Prediction {
  const costs = costsAt(model, workers);
  const perSecond = (count: number, us: number) => (count * 1e6) / us;
  return smallest({
    'API process (one core)': perSecond(1, costs.cpuUs.api),
    'worker processes (one core each)': perSecond(workers, costs.cpuUs.workers),
    "the machine's cores": perSecond(cores, machineCpuUs(costs)),
  });
}
