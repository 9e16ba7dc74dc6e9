import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread whose entry is the module `name` beside `besides` (pass import.meta.url):
 * `.js` when Herald runs built, `.ts` when it runs from source under tsx (the test suite), where the
 * thread registers tsx's loader first, since a worker does not inherit it.
 */
export function startThread(name: string, besides: string, options: WorkerOptions): Worker {
  const entry = new URL(`./${name}${extname(fileURLToPath(besides))}`, besides);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const href = JSON.stringify(entry.href);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${href}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
