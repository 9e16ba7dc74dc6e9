/**
 * Every process the harness starts goes through here, so that all of them are stopped at the end,
 * on failure, and on SIGINT/SIGTERM: nothing is left running.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const children = new Set<ChildProcess>();

/** Forks one of the harness's own TypeScript modules (bench/lib/*.ts) with an IPC channel. */
export function forkTs(
  module: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  const file = fileURLToPath(new URL(module, import.meta.url));
  const child = fork(file, args, {
    execArgv: ['--import', 'tsx'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  track(child);
  return child;
}

/** Spawns a program, its output appended to `logFile`. */
export function spawnLogged(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string },
): ChildProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('exit', () => setTimeout(() => log.end(), 50));
  track(child);
  return child;
}

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export async function stopAll(graceMs = 10_000): Promise<void> {
  await Promise.all([...children].map((child) => stopProcess(child, graceMs)));
}

/** Last resort when the harness itself is going away: no waiting possible. */
function killAllNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

let installed = false;
/** Stops every child on SIGINT/SIGTERM (gracefully, then by force) and on any exit of the harness. */
export function installCleanup(onSignal: () => Promise<void>): void {
  if (installed) return;
  installed = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process the benchmark started…\n`);
      const force = setTimeout(() => process.exit(130), 20_000);
      force.unref();
      onSignal()
        .catch(() => undefined)
        .finally(() => stopAll(5_000).finally(() => process.exit(130)));
    });
  }
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size now and at its peak (VmRSS, VmHWM), in MB; null once the process is gone. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Clock ticks a second, the unit of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used, user + system, in seconds: /proc/<pid>/stat counts every thread of
 * the process (a Node process's worker threads, libuv's pool, its garbage collector). 0 once it is
 * gone, so read it before stopping the process.
 */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state): utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds the given processes used together from now until the returned function is called. */
export function cpuMeter(pids: number[]): () => number {
  const before = pids.map(cpuSecondsOf);
  return () => pids.reduce((sum, pid, i) => sum + cpuSecondsOf(pid) - (before[i] ?? 0), 0);
}
