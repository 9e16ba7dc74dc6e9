import { parentPort, workerData } from 'node:worker_threads';
import type { AttemptResult } from '../core/types.js';
import { HttpSender } from './http-sender.js';
import { NetworkPolicy } from './ssrf.js';
import {
  type SendBatch,
  type SenderThreadSettings,
  type SendResult,
  THREAD_READY,
} from './threaded-sender.js';

/**
 * The body of one sender thread: it owns an HttpSender (its own undici Agent and connection pools)
 * and answers each batch of requests from the main thread with batches of results, gathered over
 * one turn of its event loop so a busy thread posts few, large messages.
 */
const settings = workerData as SenderThreadSettings;
const port = parentPort;
if (!port) throw new Error('sender-thread.js runs as a worker thread');

const sender = new HttpSender({
  timeoutMs: settings.timeoutMs,
  policy: new NetworkPolicy(settings.allowNetworks),
  userAgent: settings.userAgent,
  now: Date.now,
});

let finished: SendResult[] = [];

function report(seq: number, result: AttemptResult): void {
  finished.push({ seq, result });
  if (finished.length === 1) setImmediate(postFinished);
}

function postFinished(): void {
  if (finished.length === 0) return;
  const batch = finished;
  finished = [];
  port?.postMessage(batch);
}

port.postMessage(THREAD_READY);
port.on('message', (batch: SendBatch | 'close') => {
  if (batch === 'close') {
    // The sender closes once its attempts are over (each by its deadline). Their last results are
    // posted before the port closes, whatever turn of the event loop would have posted them.
    void sender.close().then(() => {
      postFinished();
      port.close();
    });
    return;
  }
  for (const request of batch.requests) {
    // A Buffer arrives as a plain Uint8Array; this wraps the same memory, no copy.
    const { buffer, byteOffset, byteLength } = request.payload;
    request.payload = Buffer.from(buffer, byteOffset, byteLength);
    // HttpSender.send answers every failure as a result; should it ever throw, the thread dies and
    // ThreadedSender fails this thread's unanswered attempts, to be retried.
    void sender.send(request).then((result) => report(request.seq, result));
  }
});
