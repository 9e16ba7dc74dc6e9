import type { Worker } from 'node:worker_threads';
import type { AttemptResult, ClaimedDelivery } from '../core/types.js';
import { startThread } from '../threads.js';
import type { AttemptSender, Sendable } from './attempt-sender.js';

/** What a sender thread is started with: plain data, since a thread shares no objects with its parent. */
export interface SenderThreadSettings {
  timeoutMs: number;
  allowNetworks: readonly string[];
  userAgent: string;
}

/** One attempt as it crosses to a sender thread, numbered so its result can find its way back. */
export type SendRequest = Sendable & { seq: number };

/**
 * One turn's requests to a thread. Their payloads are views of one buffer that the message
 * transfers: one allocation a batch instead of one a payload, and no copy on the way over.
 */
export interface SendBatch {
  requests: SendRequest[];
  payloads: ArrayBuffer;
}

export interface SendResult {
  seq: number;
  result: AttemptResult;
}

/** What a thread posts once its entry has loaded, before any results. */
export const THREAD_READY = 'ready';

/** How long a thread that died waits before it is started again, so a fault cannot spin a core. */
const RESTART_DELAY_MS = 1_000;

/**
 * A sender thread's garbage is short-lived (requests, results), so a small young generation serves
 * it; V8's default would let each thread keep tens of megabytes of it resident.
 */
const THREAD_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 8 };

function startWorker(settings: SenderThreadSettings): Worker {
  return startThread('sender-thread', import.meta.url, {
    workerData: settings,
    resourceLimits: THREAD_RESOURCE_LIMITS,
  });
}

/**
 * Packs the payloads of one turn's deliveries into one buffer of their own (a small Buffer is a
 * view of a shared 8 KB pool, which a message would carry whole) and the requests around views of it.
 */
function packBatch(outgoing: { seq: number; delivery: ClaimedDelivery }[]): SendBatch {
  let bytes = 0;
  for (const { delivery } of outgoing) bytes += delivery.payload.byteLength;
  const packed = Buffer.allocUnsafeSlow(bytes);
  let offset = 0;
  const requests = outgoing.map(({ seq, delivery }): SendRequest => {
    const end = offset + delivery.payload.copy(packed, offset);
    const payload = packed.subarray(offset, end);
    offset = end;
    const { url, eventId, secret, previousSecret } = delivery;
    return { seq, url, eventId, secret, previousSecret, payload };
  });
  return { requests, payloads: packed.buffer };
}

function stoppedBeforeAnswering(): AttemptResult {
  return {
    attemptedAt: Date.now(),
    statusCode: null,
    responseTimeMs: 0,
    error: 'the sender thread stopped before the attempt finished',
    responseBody: null,
    requestHeaders: null,
    retryAfterMs: null,
  };
}

/**
 * One sender thread and what it owes: the attempts posted to it and not yet answered. While a thread
 * that died waits to be started again, requests for it are kept and posted to its successor.
 */
class SenderThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, (result: AttemptResult) => void>();
  private held: SendBatch[] = [];
  private closing = false;
  /** Resolves once the first worker has loaded its entry; rejects if it dies before. */
  readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private failStart: (error: unknown) => void = () => undefined;
  private started = false;

  constructor(
    private readonly settings: SenderThreadSettings,
    private readonly onError: (error: unknown) => void,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    // ready() reports a failed start; nobody else need hear of it.
    this.ready.catch(() => undefined);
    this.start();
  }

  expect(seq: number, resolve: (result: AttemptResult) => void): void {
    this.waiting.set(seq, resolve);
  }

  post(batch: SendBatch): void {
    if (this.worker) this.worker.postMessage(batch, [batch.payloads]);
    else this.held.push(batch);
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (!worker) {
      // Closed while waiting to start again: what it holds will not be sent.
      this.held = [];
      this.failUnanswered();
      return;
    }
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('close');
    await exited;
  }

  private failUnanswered(): void {
    const unanswered = [...this.waiting.values()];
    this.waiting.clear();
    for (const resolve of unanswered) resolve(stoppedBeforeAnswering());
  }

  private start(): void {
    const worker = startWorker(this.settings);
    this.worker = worker;
    let failure: unknown = new Error('the sender thread exited while starting');
    worker.on('message', (message: SendResult[] | typeof THREAD_READY) => {
      if (message === THREAD_READY) {
        this.started = true;
        this.markReady();
        return;
      }
      for (const { seq, result } of message) {
        const resolve = this.waiting.get(seq);
        this.waiting.delete(seq);
        resolve?.(result);
      }
    });
    worker.on('error', (error) => {
      failure = error;
      this.onError(error);
    });
    worker.on('exit', () => {
      this.worker = null;
      this.failUnanswered();
      // A thread that never started would fail again at once: ready() reports it instead.
      if (!this.started) {
        this.failStart(failure);
        return;
      }
      if (this.closing) return;
      setTimeout(() => {
        if (this.closing) return;
        this.start();
        const held = this.held;
        this.held = [];
        for (const batch of held) this.post(batch);
      }, RESTART_DELAY_MS).unref();
    });
  }
}

/**
 * Sends attempts on worker threads, so HTTP work (undici, signing) runs beside the thread that
 * serves the API and writes the store instead of taking turns with it. Requests made in one turn of
 * the event loop travel as one message, and so do the results. A thread that dies answers its
 * unanswered attempts as failed (they are retried like any failed attempt) and is started again.
 */
export class ThreadedSender implements AttemptSender {
  private readonly threads: SenderThread[] = [];
  /** Requests made this turn, by thread; posted together at the end of the turn. */
  private outbox = new Map<SenderThread, { seq: number; delivery: ClaimedDelivery }[]>();
  private nextSeq = 0;

  constructor(settings: SenderThreadSettings, threadCount: number, onError: (error: unknown) => void) {
    for (let index = 0; index < threadCount; index += 1) {
      this.threads.push(new SenderThread(settings, onError));
    }
  }

  /** Resolves once every thread is up; rejects with the reason one of them could not start. */
  async ready(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.ready));
  }

  send(delivery: ClaimedDelivery): Promise<AttemptResult> {
    if (this.outbox.size === 0) queueMicrotask(() => this.postOutbox());
    const seq = this.nextSeq++;
    const thread = this.threadFor(delivery.webhookId);
    let batch = this.outbox.get(thread);
    if (!batch) {
      batch = [];
      this.outbox.set(thread, batch);
    }
    batch.push({ seq, delivery });
    return new Promise((resolve) => thread.expect(seq, resolve));
  }

  async close(): Promise<void> {
    this.postOutbox();
    await Promise.all(this.threads.map((thread) => thread.close()));
  }

  /** A webhook always goes to the same thread, so its keep-alive connections live in one pool. */
  private threadFor(webhookId: string): SenderThread {
    if (this.threads.length === 1) return this.threads[0] as SenderThread;
    let hash = 0;
    for (let index = 0; index < webhookId.length; index += 1) {
      hash = (hash * 31 + webhookId.charCodeAt(index)) | 0;
    }
    return this.threads[Math.abs(hash) % this.threads.length] as SenderThread;
  }

  private postOutbox(): void {
    const outbox = this.outbox;
    this.outbox = new Map();
    for (const [thread, outgoing] of outbox) thread.post(packBatch(outgoing));
  }
}
