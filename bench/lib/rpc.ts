/** Request/answer over the IPC channel of a forked harness process (receiver, load generator, peer). */
import type { ChildProcess } from 'node:child_process';
import { forkTs, stopProcess } from './procs.js';

interface Call {
  id: number;
  method: string;
  params: unknown;
}
type Answer = { id: number; result: unknown } | { id: number; error: string };

export type Handlers = Record<string, (params: any) => unknown>;

/** Child side: answers calls with `handlers`, and exits when the parent goes away. */
export function serveRpc(handlers: Handlers): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: Call) => {
    const handler = handlers[message.method];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no method ${message.method}`);
        return handler(message.params);
      })
      .then(
        (result) => process.send?.({ id: message.id, result } satisfies Answer),
        (error: unknown) =>
          process.send?.({
            id: message.id,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          } satisfies Answer),
      );
  });
  process.send?.({ ready: true });
}

/** Parent side of a forked process that serves RPC. */
export class Remote {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (message: Answer) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if ('error' in message) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`${name} exited (${signal ?? code}) during a call`));
      }
      this.pending.clear();
    });
  }

  static async start(name: string, module: string, env?: NodeJS.ProcessEnv): Promise<Remote> {
    const child = forkTs(module, [], env);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { ready?: boolean }) => {
        if (message.ready) {
          child.off('exit', onExit);
          child.off('message', onMessage);
          resolve();
        }
      };
      const onExit = (code: number | null) => reject(new Error(`${name} exited (${code}) while starting`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return new Remote(name, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  call<T>(method: string, params: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, method, params } satisfies Call);
    });
  }

  stop(): Promise<void> {
    return stopProcess(this.child, 5_000);
  }
}
