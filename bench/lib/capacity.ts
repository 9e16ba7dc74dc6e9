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

/** Deliveries/s for `cluster` when each delivered event costs `costs`. */
export function predict(costs: PostgresCosts, cluster: Cluster): Prediction {
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
export function machineCpuUs(costs: PostgresCosts): number {
  const { api, workers, database, loadgen, receiver } = costs.cpuUs;
  return api + workers + database + loadgen + receiver;
}

/**
 * The same model on one machine of `cores` cores shared by every process (this benchmark's case):
 * the per-process limits, and all CPU per event together against the machine's cores.
 */
export function predictOneMachine(costs: PostgresCosts, workers: number, cores: number): Prediction {
  const perSecond = (count: number, us: number) => (count * 1e6) / us;
  return smallest({
    'API process (one core)': perSecond(1, costs.cpuUs.api),
    'worker processes (one core each)': perSecond(workers, costs.cpuUs.workers),
    "the machine's cores": perSecond(cores, machineCpuUs(costs)),
  });
}
