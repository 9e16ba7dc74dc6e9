import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { HostileReceiver } from './hostile-receiver.js';

/** What the child answers: its port once listening, then one answer per question. */
type ChildMessage =
  | { port: number }
  | { id: number; openConnections: number }
  | { id: number; error: string };

/** A question to the child: how many connections are open once at least `atLeast` are (or `timeoutMs` passed). */
interface Question {
  id: number;
  atLeast: number;
  timeoutMs: number;
}

const CHILD = fileURLToPath(import.meta.url);

/**
 * A HostileReceiver in a child process, for tests that time a healthy tenant beside a hostile one:
 * its hundreds of trickling and hanging connections are served on another event loop than the
 * Herald under test, so what the test measures is Herald's, not the harness's.
 */
export class HostileReceiverElsewhere {
  private nextId = 0;
  private readonly answers = new Map<number, (message: ChildMessage) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly port: number,
  ) {
    child.on('message', (message: ChildMessage) => {
      if (!('id' in message)) return;
      this.answers.get(message.id)?.(message);
      this.answers.delete(message.id);
    });
  }

  static async start(): Promise<HostileReceiverElsewhere> {
    const child = fork(CHILD, {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`the hostile receiver's process exited with ${code} before it listened`);
    });
    const [ready] = (await Promise.race([once(child, 'message'), exited])) as [{ port: number }];
    return new HostileReceiverElsewhere(child, ready.port);
  }

  url(target: string): string {
    return `http://127.0.0.1:${this.port}${target}`;
  }

  /** How many connections are open, once at least `atLeast` are; fails after `timeoutMs`. */
  openConnections(atLeast = 0, timeoutMs = 10_000): Promise<number> {
    const question: Question = { id: this.nextId++, atLeast, timeoutMs };
    return new Promise((resolve, reject) => {
      this.answers.set(question.id, (answer) => {
        if ('error' in answer) reject(new Error(answer.error));
        else if ('openConnections' in answer) resolve(answer.openConnections);
      });
      this.child.send(question);
    });
  }

  async close(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.disconnect();
    await exited;
  }
}

/** In the child: serve a HostileReceiver until the parent disconnects, answering its questions. */
async function serveInChild(): Promise<void> {
  const receiver = await new HostileReceiver().start();
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (question: Question) => {
    receiver
      .waitUntil(
        () => receiver.openConnections >= question.atLeast,
        `${question.atLeast} open connections`,
        question.timeoutMs,
      )
      .then(
        () => send({ id: question.id, openConnections: receiver.openConnections }),
        (error: Error) => send({ id: question.id, error: error.message }),
      );
  });
  process.on('disconnect', () => void receiver.close().then(() => process.exit(0)));
  send({ port: receiver.port });
}

if (process.send !== undefined && process.argv[1] === CHILD) await serveInChild();
