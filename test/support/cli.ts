import { type ChildProcess, spawn } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url).pathname;

/** A `herald` command running from source, with what it printed so far. */
export interface HeraldRun {
  child: ChildProcess;
  output: () => string;
  errors: () => string;
  /** The exit code, or null when a signal ended it. */
  exited: Promise<number | null>;
}

/**
 * Runs `herald <args>` as a user's shell would: without this machine's own HERALD_* settings
 * (HERALD_TEST_* would be refused too), plus `env`.
 */
export function runHerald(args: string[], env: Record<string, string> = {}): HeraldRun {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('HERALD_')),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
  });
  return { child, output: () => out, errors: () => err, exited };
}
