import type { AttemptResult, ClaimedDelivery } from '../core/types.js';
import { WebhookConcurrency } from './webhook-concurrency.js';

/** Claims skip a lane while this many of its deliveries wait: half a round of its requests. */
function refillBelow(limit: number): number {
  return Math.ceil(limit / 2);
}

/**
 * Most deliveries a lane keeps waiting, one and a half rounds: a claim adds at most
 * webhookConcurrency to a lane below refillBelow, so at full concurrency nothing claimed goes back.
 */
function waitingCap(limit: number): number {
  return limit + Math.floor(limit / 2);
}

/**
 * How many rounds of a webhook's requests can come before a delivery that has just joined its lane:
 * one in flight and one and a half waiting (waitingCap), so two. The lease covers them (see lease.ts).
 */
export const ROUNDS_BEFORE_A_WAITING_DELIVERY = 2;

interface Lane {
  sending: number;
  waiting: ClaimedDelivery[];
}

/**
 * One lane per webhook with work in this worker: its requests in flight and the deliveries waiting
 * for a slot. How many may be in flight is the webhook's limit (WebhookConcurrency: it starts low,
 * climbs with answers, drops to one on a timeout); how many may wait is bounded so that none waits
 * past its lease. A lane exists while it holds anything.
 */
export class Lanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly concurrency: WebhookConcurrency;

  constructor(private readonly webhookConcurrency: number) {
    this.concurrency = new WebhookConcurrency(webhookConcurrency);
  }

  /** Puts deliveries in their webhooks' lanes; returns the webhooks touched. */
  enqueue(deliveries: readonly ClaimedDelivery[]): Set<string> {
    const touched = new Set<string>();
    for (const delivery of deliveries) {
      let lane = this.lanes.get(delivery.webhookId);
      if (!lane) {
        lane = { sending: 0, waiting: [] };
        this.lanes.set(delivery.webhookId, lane);
      }
      lane.waiting.push(delivery);
      touched.add(delivery.webhookId);
    }
    return touched;
  }

  /** Takes out of the lane every waiting delivery its limit lets start now, counting each as sending. */
  startable(webhookId: string): ClaimedDelivery[] {
    const lane = this.lanes.get(webhookId);
    if (!lane) return [];
    const started: ClaimedDelivery[] = [];
    const limit = this.concurrency.limitOf(webhookId);
    while (lane.sending < limit && lane.waiting.length > 0) {
      started.push(lane.waiting.shift() as ClaimedDelivery);
      lane.sending += 1;
    }
    return started;
  }

  /** Records an answered request: the webhook's limit follows the result, and the lane goes when empty. */
  finished(webhookId: string, result: AttemptResult): void {
    this.concurrency.record(webhookId, result);
    const lane = this.lanes.get(webhookId);
    if (!lane) return;
    lane.sending -= 1;
    if (lane.sending === 0 && lane.waiting.length === 0) this.lanes.delete(webhookId);
  }

  /**
   * Takes out of a lane what waits beyond its cap (see waitingCap): after a claim filled it, or a
   * timeout cut it back to one request at a time, that would still be waiting when its lease runs out.
   */
  overflowOf(webhookId: string): ClaimedDelivery[] {
    const lane = this.lanes.get(webhookId);
    const cap = waitingCap(this.concurrency.limitOf(webhookId));
    return lane && lane.waiting.length > cap ? lane.waiting.splice(cap) : [];
  }

  /** Empties every lane of what waits (shutdown); requests in flight stay counted until they finish. */
  takeAllWaiting(): ClaimedDelivery[] {
    return [...this.lanes.values()].flatMap((lane) => lane.waiting.splice(0));
  }

  /** Empties one lane of what waits (its webhook is being disabled). */
  takeWaiting(webhookId: string): ClaimedDelivery[] {
    return this.lanes.get(webhookId)?.waiting.splice(0) ?? [];
  }

  /**
   * A lane at full concurrency is refilled while half a round still waits, so its requests stay in
   * flight while the claim is under way. One held back (failing, or climbing back after failures)
   * only once it can send more: a claim brings it a full share, and most of that would go back.
   */
  wantsMore(webhookId: string): boolean {
    const lane = this.lanes.get(webhookId);
    if (!lane) return true;
    const limit = this.concurrency.limitOf(webhookId);
    if (limit < this.webhookConcurrency) return !this.holdsARound(webhookId, lane);
    return lane.waiting.length < refillBelow(limit);
  }

  /** The webhooks a claim should pass over now: their lanes want nothing more. */
  notWantingMore(): string[] {
    return [...this.lanes.keys()].filter((webhookId) => !this.wantsMore(webhookId));
  }

  /** The webhooks whose lanes have a whole round of requests in flight or waiting. */
  holdingARound(): string[] {
    return [...this.lanes].filter(([webhookId, lane]) => this.holdsARound(webhookId, lane)).map(([id]) => id);
  }

  /** How many more deliveries the lane can take: a round in flight and waitingCap waiting. */
  roomIn(webhookId: string): number {
    const lane = this.lanes.get(webhookId);
    const limit = this.concurrency.limitOf(webhookId);
    const inLane = lane ? lane.sending + lane.waiting.length : 0;
    return Math.max(0, limit + waitingCap(limit) - inLane);
  }

  private holdsARound(webhookId: string, lane: Lane): boolean {
    return lane.sending + lane.waiting.length >= this.concurrency.limitOf(webhookId);
  }
}
