import type { AttemptResult, ClaimedDelivery } from '../core/types.js';
import { Pace } from './pace.js';
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

/**
 * How long an emptied lane stays. A fast webhook with a backlog empties its lane between two claims
 * (every answer back before the next claim); were the lane gone, the next claim would take it as a
 * new webhook, a first round of a few deliveries, and its backlog would drain a few at a time.
 */
export const EMPTY_LANE_LINGER_MS = 1_000;

interface Lane {
  sending: number;
  waiting: ClaimedDelivery[];
  /** An ordered (fifo) webhook: one request at a time, whatever its limit. */
  ordered: boolean;
  /** Its rate limit, if it has one. */
  pace: Pace | null;
  /** When it last held nothing, while it does; null while it holds something. */
  emptySince: number | null;
}

export interface LanesOptions {
  /** Most requests in flight to one webhook (HERALD_WEBHOOK_CONCURRENCY). */
  webhookConcurrency: number;
  /** One attempt's limit: what may wait in a lane is bounded by the time its lease leaves. */
  timeoutMs: number;
  now: () => number;
  /** Called when a lane its rate limit held back may start its next delivery. */
  onPaced: (webhookId: string) => void;
}

/**
 * One lane per webhook with work in this worker: its requests in flight and the deliveries waiting
 * for a slot. How many may be in flight is the webhook's limit (WebhookConcurrency: it starts low,
 * climbs with answers, drops to one on a timeout, shrinks with latency; one for an ordered webhook);
 * how many may wait is bounded so that none waits past its lease, a rate-limited webhook's included.
 * A lane exists while it holds anything, and for EMPTY_LANE_LINGER_MS after.
 */
export class Lanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly concurrency: WebhookConcurrency;
  /** Lanes whose rate limit keeps deliveries waiting, with the timer for the next start. */
  private readonly paceTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: LanesOptions) {
    this.concurrency = new WebhookConcurrency(options.webhookConcurrency);
  }

  /** Puts deliveries in their webhooks' lanes; returns the webhooks touched. */
  enqueue(deliveries: readonly ClaimedDelivery[]): Set<string> {
    const touched = new Set<string>();
    for (const delivery of deliveries) {
      let lane = this.lanes.get(delivery.webhookId);
      if (!lane) {
        lane = { sending: 0, waiting: [], ordered: false, pace: null, emptySince: null };
        this.lanes.set(delivery.webhookId, lane);
      }
      // The newest claim carries the webhook's settings as they are now.
      lane.ordered = delivery.ordering === 'fifo';
      if (delivery.rateLimit === null) lane.pace = null;
      else if (lane.pace?.perSecond !== delivery.rateLimit)
        lane.pace = new Pace(delivery.rateLimit, this.options.now());
      lane.waiting.push(delivery);
      lane.emptySince = null;
      touched.add(delivery.webhookId);
    }
    return touched;
  }

  /** Takes out of the lane every waiting delivery its limit and pace let start now, counting each as sending. */
  startable(webhookId: string): ClaimedDelivery[] {
    const lane = this.lanes.get(webhookId);
    if (!lane) return [];
    const started: ClaimedDelivery[] = [];
    const limit = this.limitOf(webhookId, lane);
    while (lane.sending < limit && lane.waiting.length > 0 && (lane.pace?.take(this.options.now()) ?? true)) {
      started.push(lane.waiting.shift() as ClaimedDelivery);
      lane.sending += 1;
    }
    if (lane.pace && lane.waiting.length > 0 && lane.sending < limit) this.paceNext(webhookId, lane.pace);
    return started;
  }

  /** Stops the timers of paced lanes (shutdown). */
  stopPacing(): void {
    for (const timer of this.paceTimers.values()) clearTimeout(timer);
    this.paceTimers.clear();
  }

  /** Calls onPaced once the lane's rate lets its next delivery start. */
  private paceNext(webhookId: string, pace: Pace): void {
    if (this.paceTimers.has(webhookId)) return;
    const timer = setTimeout(() => {
      this.paceTimers.delete(webhookId);
      this.options.onPaced(webhookId);
    }, pace.waitMs(this.options.now()));
    this.paceTimers.set(webhookId, timer);
  }

  /**
   * Records an answered request: the webhook's limit follows the result. An emptied lane lingers
   * (EMPTY_LANE_LINGER_MS) so that the next claim fills it as the webhook's limit allows.
   */
  finished(webhookId: string, result: AttemptResult): void {
    this.concurrency.record(webhookId, result);
    const lane = this.lanes.get(webhookId);
    if (!lane) return;
    lane.sending -= 1;
    if (lane.sending === 0 && lane.waiting.length === 0) lane.emptySince = this.options.now();
  }

  /**
   * Takes out of a lane what waits beyond its cap (see waitingCap): after a claim filled it, or a
   * timeout cut it back to one request at a time, that would still be waiting when its lease runs out.
   */
  overflowOf(webhookId: string): ClaimedDelivery[] {
    const lane = this.lanes.get(webhookId);
    if (!lane) return [];
    const cap = this.waitingCapOf(webhookId, lane);
    return lane.waiting.length > cap ? lane.waiting.splice(cap) : [];
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
   * flight while the claim is under way. One held back (failing, slow, ordered, or climbing back
   * after failures) only once it can send more: a claim brings it a full share, and most of that
   * would go back.
   */
  wantsMore(webhookId: string): boolean {
    const lane = this.lanes.get(webhookId);
    if (!lane) return true;
    const limit = this.limitOf(webhookId, lane);
    if (limit < this.options.webhookConcurrency) return !this.holdsARound(webhookId, lane);
    return lane.waiting.length < Math.min(refillBelow(limit), this.waitingCapOf(webhookId, lane));
  }

  /**
   * Forgets the lanes that have stood empty for EMPTY_LANE_LINGER_MS, so that their webhooks start
   * afresh (roomOfNewLane) at their next claim. Called before each claim.
   */
  forgetIdleLanes(): void {
    const now = this.options.now();
    for (const [webhookId, lane] of this.lanes) {
      if (lane.sending > 0 || lane.waiting.length > 0) continue;
      // Emptied by an answer (finished) or by taking what waited (a disable, a shutdown).
      lane.emptySince ??= now;
      if (now - lane.emptySince >= EMPTY_LANE_LINGER_MS) this.lanes.delete(webhookId);
    }
  }

  /**
   * What a claim may bring each webhook with a lane: a round of the maximum at most, within its room,
   * or nothing while it wants no more. A webhook without a lane takes roomOfNewLane.
   */
  claimRooms(): Map<string, number> {
    const rooms = new Map<string, number>();
    for (const webhookId of this.lanes.keys()) {
      const room = this.wantsMore(webhookId)
        ? Math.min(this.roomIn(webhookId), this.options.webhookConcurrency)
        : 0;
      rooms.set(webhookId, room);
    }
    return rooms;
  }

  /** The webhooks whose lanes have a whole round of requests in flight or waiting. */
  holdingARound(): string[] {
    return [...this.lanes].filter(([webhookId, lane]) => this.holdsARound(webhookId, lane)).map(([id]) => id);
  }

  /**
   * What a new lane takes: its first round, nothing waiting yet, so a webhook that turns out to hang
   * has nothing to give back when it is cut to one request.
   */
  roomOfNewLane(): number {
    return this.concurrency.initial;
  }

  /** How many more deliveries the lane can take: a round in flight and its waiting cap. */
  roomIn(webhookId: string): number {
    const lane = this.lanes.get(webhookId);
    const limit = this.limitOf(webhookId, lane);
    const inLane = lane ? lane.sending + lane.waiting.length : 0;
    const cap = lane ? this.waitingCapOf(webhookId, lane) : waitingCap(limit);
    return Math.max(0, limit + cap - inLane);
  }

  private limitOf(webhookId: string, lane: Lane | undefined): number {
    return lane?.ordered ? 1 : this.concurrency.limitOf(webhookId);
  }

  /** What may wait: waitingCap, and no more than its pace starts before the lease would run out. */
  private waitingCapOf(webhookId: string, lane: Lane): number {
    const cap = waitingCap(this.limitOf(webhookId, lane));
    const window = this.options.timeoutMs * ROUNDS_BEFORE_A_WAITING_DELIVERY;
    return lane.pace ? Math.min(cap, lane.pace.startsWithin(window)) : cap;
  }

  private holdsARound(webhookId: string, lane: Lane): boolean {
    return lane.sending + lane.waiting.length >= this.limitOf(webhookId, lane);
  }
}
