import type { Clock } from '../core/clock.js';
import { decideOutcome } from '../core/outcome.js';
import type { RetrySchedule } from '../core/retry-policy.js';
import type { AttemptOutcome, AttemptResult, ClaimedDelivery } from '../core/types.js';
import type { DeliveryTaker, Store } from '../store/store.js';
import { WebhookConcurrency } from './webhook-concurrency.js';

const DUE_BUT_UNCLAIMED_RETRY_MS = 20;

export interface AttemptSender {
  send(delivery: ClaimedDelivery): Promise<AttemptResult>;
}

export interface DispatcherOptions {
  store: Store;
  sender: AttemptSender;
  clock: Clock;
  schedule: RetrySchedule;
  /** Names this worker in its leases. */
  owner: string;
  /** Deliveries this worker holds at once (sending, waiting for a slot, or awaiting their write). */
  concurrency: number;
  /**
   * Most requests in flight to one webhook at once; a webhook that times out is cut to one (see
   * WebhookConcurrency), so one slow endpoint cannot take every slot.
   */
  webhookConcurrency: number;
  timeoutMs: number;
  /** Longest sleep between looks at the queue when nothing announces work. */
  pollIntervalMs: number;
  /** Deliveries asked for in one claim. */
  claimBatch?: number;
  onError?: (error: unknown) => void;
}

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

interface WebhookLane {
  sending: number;
  waiting: ClaimedDelivery[];
}

/**
 * Claims due deliveries in batches (or, once it has caught up, takes new ones straight from the
 * publishes of its own process, already leased to it), sends them with bounded concurrency (in
 * total and per webhook), and writes their outcomes back in batches. The store is the queue:
 * nothing here outlives a crash except leases, which expire and make the work due again.
 */
export class Dispatcher implements DeliveryTaker {
  private readonly lanes = new Map<string, WebhookLane>();
  private readonly concurrency: WebhookConcurrency;
  private held = 0;
  private outcomes: AttemptOutcome[] = [];
  private flushing: Promise<void> | null = null;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  /**
   * False after a claim came back short: the queue had nothing more for lanes with room. A claim
   * before new work is announced, a lane that was full gets room, or the poll timer fires would
   * only scan the queue again for nothing.
   */
  private worthClaiming = true;
  /** Lanes that were busy at the last short claim: once one of them wants more, a claim is worth it. */
  private cappedLanes = new Set<string>();
  readonly leaseMs: number;

  constructor(private readonly options: DispatcherOptions) {
    this.concurrency = new WebhookConcurrency(options.webhookConcurrency);
    // A webhook's lane holds a round of requests in flight and at most one and a half rounds waiting
    // (see waitingCap), so a claimed delivery waits at most that long before its own request: the
    // lease must outlast all of it, with room for writing the outcome.
    this.leaseMs = options.timeoutMs * 3 + 5_000;
  }

  get owner(): string {
    return this.options.owner;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.store.onDeliveriesQueued(() => this.wake('work'));
    this.options.store.setDeliveryTaker?.(this);
    this.wake('work');
  }

  /** Stops claiming, lets requests in flight finish, gives unsent work back and writes every outcome. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.options.store.setDeliveryTaker?.(null);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pumping;
    const unsent = [...this.lanes.values()].flatMap((lane) => lane.waiting.splice(0));
    if (unsent.length > 0) await this.giveBack(unsent);
    await this.idle();
  }

  /** Hands claimed deliveries back unsent, due at once; they count as held until the store has them. */
  private async giveBack(deliveries: ClaimedDelivery[]): Promise<void> {
    try {
      await this.options.store.releaseDeliveries(
        deliveries.map((delivery) => ({ deliveryId: delivery.id, lease: delivery.lease })),
        this.options.clock.now(),
      );
    } catch (error) {
      // The database is away: their leases expire and they fall due again. Sends in flight still finish.
      this.options.onError?.(error);
    } finally {
      this.held -= deliveries.length;
      if (this.isIdle()) this.notifyIdle();
    }
  }

  /** Resolves once nothing is held: every claimed delivery sent and its outcome written. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.held === 0 && this.outcomes.length === 0 && !this.flushing;
  }

  /** Claims and sends what is due now until nothing due is left; for tests driving an injected clock. */
  async drain(): Promise<void> {
    for (;;) {
      this.worthClaiming = true;
      if ((await this.claim()) === 'none') break;
      await this.idle();
    }
    await this.idle();
  }

  /**
   * Looks at the queue now (coalesced with a look already under way): for new work, on the poll
   * timer, or because outcomes were written and room made.
   */
  wake(reason: 'work' | 'timer' | 'room'): void {
    if (!this.running) return;
    if (reason !== 'room') this.worthClaiming = true;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
    });
  }

  private async pump(): Promise<void> {
    do {
      this.pumpAgain = false;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      try {
        // A claim that came back short found all there was to take: no second look until a wake.
        while (this.running && this.worthClaiming && (await this.claim()) === 'full') {
          // keep claiming while there is room and work
        }
        if (this.running) await this.sleepUntilDue();
      } catch (error) {
        this.options.onError?.(error);
        if (this.running) this.schedule(this.options.pollIntervalMs);
      }
    } while (this.pumpAgain && this.running);
  }

  private async sleepUntilDue(): Promise<void> {
    // While anything is held, every written batch of outcomes wakes us: no need to ask the store.
    if (this.held > 0) {
      this.schedule(this.options.pollIntervalMs);
      return;
    }
    const dueAt = await this.options.store.nextDueAt();
    const wait = dueAt === null ? this.options.pollIntervalMs : dueAt - this.options.clock.now();
    // Due work we could not claim belongs to full lanes (their sends wake us) or is locked by another
    // worker for a moment: look again soon, not in a tight loop.
    this.schedule(wait <= 0 ? DUE_BUT_UNCLAIMED_RETRY_MS : Math.min(wait, this.options.pollIntervalMs));
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake('timer');
    }, ms);
    this.timer.unref();
  }

  /**
   * Room for deliveries handed over by publishes in this process. None while older work may be
   * waiting in the store (the last claim was not short, or work was announced since): that work is
   * claimed first, in turn, so a steady stream of new events cannot starve retries.
   */
  roomFor(webhookId: string): number {
    if (!this.running || this.worthClaiming) return 0;
    const lane = this.lanes.get(webhookId);
    const limit = this.concurrency.limitOf(webhookId);
    const inLane = lane ? lane.sending + lane.waiting.length : 0;
    const laneRoom = limit + waitingCap(limit) - inLane;
    return Math.max(0, Math.min(this.options.concurrency - this.held, laneRoom));
  }

  /**
   * A lane at full concurrency is refilled while half a round still waits, so its requests stay in
   * flight while the claim is under way. One held back (failing, or climbing back after failures)
   * only once it can send more: a claim brings it a full share, and most of that would go back.
   */
  private wantsMore(webhookId: string, lane: WebhookLane): boolean {
    const limit = this.concurrency.limitOf(webhookId);
    if (limit < this.options.webhookConcurrency) return !this.holdsARound(webhookId, lane);
    return lane.waiting.length < refillBelow(limit);
  }

  /**
   * Takes out of a lane what waits beyond its cap (see waitingCap): after a claim filled it, or a
   * timeout cut it back to one request at a time, that would still be waiting when its lease runs out.
   */
  private overflowOf(webhookId: string, lane: WebhookLane): ClaimedDelivery[] {
    const cap = waitingCap(this.concurrency.limitOf(webhookId));
    return lane.waiting.length > cap ? lane.waiting.splice(cap) : [];
  }

  /** Whether a lane has a whole round of requests in flight or waiting. */
  private holdsARound(webhookId: string, lane: WebhookLane): boolean {
    return lane.sending + lane.waiting.length >= this.concurrency.limitOf(webhookId);
  }

  take(deliveries: ClaimedDelivery[]): void {
    this.held += deliveries.length;
    for (const webhookId of this.enqueue(deliveries)) {
      this.startSends(webhookId, this.lanes.get(webhookId) as WebhookLane);
    }
  }

  /** Puts deliveries in their webhooks' lanes; returns the webhooks touched. */
  private enqueue(deliveries: readonly ClaimedDelivery[]): Set<string> {
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

  /**
   * Claims one batch into the webhooks' lanes: 'full' when it got all it asked for (there may be
   * more), 'short' when it got less, 'none' when it got nothing or had no room to ask.
   */
  private async claim(): Promise<'full' | 'short' | 'none'> {
    const room = this.options.concurrency - this.held;
    if (room <= 0) return 'none';
    const now = this.options.clock.now();
    const skipped = [...this.lanes]
      .filter(([webhookId, lane]) => !this.wantsMore(webhookId, lane))
      .map(([webhookId]) => webhookId);
    const limit = Math.min(room, this.options.claimBatch ?? 256);
    const claimed = await this.options.store.claimDueDeliveries({
      owner: this.options.owner,
      now,
      leaseUntil: now + this.leaseMs,
      limit,
      perWebhookLimit: this.options.webhookConcurrency,
      skipWebhookIds: skipped,
    });
    this.held += claimed.length;
    const touched = this.enqueue(claimed);
    const excess: ClaimedDelivery[] = [];
    for (const webhookId of touched) {
      const lane = this.lanes.get(webhookId) as WebhookLane;
      this.startSends(webhookId, lane);
      excess.push(...this.overflowOf(webhookId, lane));
    }
    if (excess.length > 0) await this.giveBack(excess);
    if (claimed.length === limit) return 'full';
    this.worthClaiming = false;
    // Busy lanes (a round in flight or waiting): work may come due for them without any
    // announcement (retries, released leases), so their next sends prompt a look.
    this.cappedLanes = new Set(skipped);
    for (const [webhookId, lane] of this.lanes) {
      if (this.holdsARound(webhookId, lane)) this.cappedLanes.add(webhookId);
    }
    return claimed.length === 0 ? 'none' : 'short';
  }

  private startSends(webhookId: string, lane: WebhookLane): void {
    while (lane.sending < this.concurrency.limitOf(webhookId) && lane.waiting.length > 0) {
      const delivery = lane.waiting.shift() as ClaimedDelivery;
      lane.sending += 1;
      void this.sendOne(webhookId, lane, delivery);
    }
  }

  private async sendOne(webhookId: string, lane: WebhookLane, delivery: ClaimedDelivery): Promise<void> {
    const result = await this.options.sender.send(delivery);
    this.concurrency.record(webhookId, result);
    this.outcomes.push(decideOutcome(delivery, result, this.options.schedule, this.options.clock.now()));
    lane.sending -= 1;
    const excess = this.overflowOf(webhookId, lane);
    if (excess.length > 0) void this.giveBack(excess);
    if (lane.sending === 0 && lane.waiting.length === 0) this.lanes.delete(webhookId);
    else this.startSends(webhookId, lane);
    if (this.cappedLanes.has(webhookId) && this.wantsMore(webhookId, lane)) {
      this.cappedLanes.delete(webhookId);
      this.worthClaiming = true;
    }
    this.flushSoon();
  }

  /** Writes outcomes in batches: one transaction for everything that finished meanwhile. */
  private flushSoon(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      while (this.outcomes.length > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = this.outcomes;
        this.outcomes = [];
        try {
          await this.options.store.completeDeliveries(batch, this.options.clock.now());
        } catch (error) {
          // The leases will expire and the deliveries be sent again: at-least-once, never lost.
          this.options.onError?.(error);
        }
        this.held -= batch.length;
        this.wake('room');
      }
    })().finally(() => {
      this.flushing = null;
      if (this.outcomes.length > 0) this.flushSoon();
      else if (this.isIdle()) this.notifyIdle();
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
