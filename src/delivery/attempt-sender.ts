import type { AttemptResult, ClaimedDelivery } from '../core/types.js';

/**
 * Makes one attempt to deliver a claimed delivery: the HTTP request and nothing else (no store, no
 * retry decision). The contract every caller relies on: `send` never rejects. Whatever goes wrong
 * (a refused address, DNS, a timeout, a reset, a thread that died) comes back as a result with
 * `statusCode: null` and an `error` for the history, so the outcome can always be recorded.
 */
export interface AttemptSender {
  send(delivery: ClaimedDelivery): Promise<AttemptResult>;
}

/** What an attempt needs of a delivery: the queue's bookkeeping (lease, tenant, attempt) stays behind. */
export type Sendable = Pick<ClaimedDelivery, 'url' | 'eventId' | 'secret' | 'previousSecret' | 'payload'>;
