/**
 * The minimal durable relay's sending thread: signs each delivery and POSTs it with undici's
 * `dispatch` (at most 64 at once), answering with outcomes gathered over one turn of its event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Agent } from 'undici';
import { postWithDispatch, signedHeaders } from './peer-http.js';

export interface RelaySend {
  id: number;
  body: string;
}

export interface RelayedOutcome {
  id: number;
  /** HTTP status, or 0 when no answer came. */
  status: number;
}

const port = parentPort;
if (!port) throw new Error('durable-relay-sender runs as a worker thread');
const url = new URL((workerData as { targetUrl: string }).targetUrl);
const target = { origin: url.origin, path: url.pathname };
/** As many requests in flight to the webhook as Herald allows by default; undici queues the rest. */
const agent = new Agent({ connections: 64, keepAliveTimeout: 4_000 });

let outcomes: RelayedOutcome[] = [];
function report(outcome: RelayedOutcome): void {
  outcomes.push(outcome);
  if (outcomes.length === 1) {
    setImmediate(() => {
      port?.postMessage(outcomes);
      outcomes = [];
    });
  }
}

port.on('message', (batch: RelaySend[]) => {
  for (const { id, body } of batch) {
    postWithDispatch(agent, target, signedHeaders(`evt_${id}`, body), body).then(
      (answer) => report({ id, status: answer.statusCode }),
      () => report({ id, status: 0 }),
    );
  }
});
