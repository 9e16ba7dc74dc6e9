/** Names for what a benchmark run creates (directories, databases), none of them used twice. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../scenario.js';

let instance = 0;

export function nextInstance(): number {
  instance += 1;
  return instance;
}

/** A new directory under the run's working directory, e.g. `herald-3`. */
export function freshDir(ctx: Context, prefix: string): string {
  const dir = join(ctx.workDir, `${prefix}-${nextInstance()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
