/*
 * The dispatcher: one per worker process. Read this first.
 *
 * LANES AND ROUNDS. Every webhook with work in this worker has a lane (lanes.ts): the requests in
 * flight to it, and the deliveries waiting for one of its slots. A webhook's limit of requests in
 * flight starts at 4, climbs by one per answered attempt up to HERALD_WEBHOOK_CONCURRENCY, drops to
 * one when an attempt times out or cannot connect, and shrinks the slower it answers
 * (webhook-concurrency.ts); an ordered webhook's is one, and a rate-limited one's starts are paced
 * (pace.ts). A "round" is one limit's worth of requests. A lane keeps at most one and a half rounds
 * waiting, so no delivery waits more than two rounds for its own request. The worker as a whole
 * holds at most HERALD_CONCURRENCY deliveries (`held`: in a lane, in flight, or awaiting the write
 * of their outcome), shared by tenant first (tenant-shares.ts: each its guaranteed share, and past
 * it none takes the reserve, one webhook's worth kept for a tenant that shows up).
 *
 * TWO WAYS IN. Work reaches the lanes by a claim (the store leases this worker a batch of due
 * deliveries, round-robin across webhooks, within the room of each webhook and tenant), or by a
 * hand-over (`take`: a publish in this process creates its deliveries already leased to this
 * worker, SQLite only). Hand-overs are accepted only while the dispatcher is caught up with the
 * store (`roomFor`), so a steady stream of new events cannot starve older work, retries included,
 * which only claims bring in.
 *
 * REFILLS. A claim passes over lanes that want nothing more: a lane at full concurrency wants more
 * once fewer than half a round waits (so it never runs dry while the claim is under way); a lane
 * held back by failures only once it can send more. What a claim or a cut-back leaves waiting
 * beyond the cap goes back to the store at once, due now (`giveBack`), never to wait out its lease.
 *
 * LEASES. Every delivery held here is leased for three delivery timeouts plus 5 s (lease.ts): two
 * rounds before it, its own attempt, and the write of its outcome. A worker that dies leaves leases
 * that expire; the work is then claimed again elsewhere, and a late outcome from here is ignored.
 *
 * OUTCOMES are decided here (core/outcome.ts: success, retry on the schedule, dead letter) and
 * written in batches (outcome-writer.ts). Each written batch makes room, which prompts a look.
 *
 * STATES. The dispatcher is in one of three modes, changed only through `enter`:
 *   stopped   not started, or stopped: it claims nothing and takes no hand-over;
 *   looking   claiming batches while there is room and work; a wake meanwhile asks for one more look;
 *   idle      until a wake: new work announced, a busy lane wanting more, room made, or the due timer.
 * Beside the mode, `caughtUp` says whether the last claim came back short: then only a wake for new
 * work, the timer, one of the lanes that were busy at that claim wanting more (which wakes it at
 * once), or a tenant that claim capped regaining room makes another claim worth its query. New work
 * of tenants still capped is not: announced by name, it waits for their room.
 *
 * THE DUE TIMER (due-timer.ts) finds what falls due with no announcement: retries, expired leases,
 * released deliveries, re-enabled webhooks. It is aimed at the next due time the store reports, at
 * most HERALD_POLL_INTERVAL away, and only a look it started aims it again: a stream of other wakes
 * (publishes, written outcomes) never pushes it back, so due work is claimed on time under load, nor
 * costs a look at the store each. The retries this worker schedules bring it forward when sooner.
 */
import type { Clock } from '../core/clock.js';
import { decideOutcome } from '../core/outcome.js';
import type { RetryPolicy } from '../core/retry-policy.js';
import type { ClaimedDelivery } from '../core/types.js';
import type { DeliveryQueue, DeliveryTaker } from '../store/store.js';
import type { AttemptObserver } from './attempt-observer.js';
import type { AttemptSender } from './attempt-sender.js';
import { CaughtUp } from './caught-up.js';
import { DueTimer } from './due-timer.js';
import type { HealthMonitor } from './health-monitor.js';
import { Lanes, ROUNDS_BEFORE_A_WAITING_DELIVERY } from './lanes.js';
import { leaseMs } from './lease.js';
import { OutcomeWriter } from './outcome-writer.js';
import { TenantShares } from './tenant-shares.js';

export interface DispatcherOptions {
  queue: DeliveryQueue;
  sender: AttemptSender;
  clock: Clock;
  retryPolicy: RetryPolicy;
  /** Disables a webhook whose receiver answered 410 Gone. */
  health: Pick<HealthMonitor, 'disable'>;
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
  /** Told of each outcome as it is decided: metrics and logs. */
  observer?: AttemptObserver;
  onError?: (error: unknown) => void;
}

type Mode =
  | { name: 'stopped' }
  /** `aimTimer`: a timer wake is part of this look, so the due timer is aimed again after it. */
  | { name: 'looking'; lookAgain: boolean; aimTimer: boolean }
  | { name: 'idle' };

/**
 * Claims due deliveries in batches (or takes new ones straight from the publishes of its own
 * process), sends them with bounded concurrency in total and per webhook, and writes their outcomes
 * back in batches. The store is the queue: nothing here outlives a crash except leases, which expire
 * and make the work due again. See the floor plan at the top of this file.
 */
export class Dispatcher implements DeliveryTaker {
  private mode: Mode = { name: 'stopped' };
  private caughtUp: CaughtUp | null = null;
  /** The last look, awaited by stop() so that no claim lands after it. */
  private lastLook: Promise<void> = Promise.resolve();
  private readonly dueTimer: DueTimer;
  private readonly lanes: Lanes;
  private readonly tenants: TenantShares;
  private readonly outcomes: OutcomeWriter;
  /** Deliveries held in all: waiting in lanes, in flight, or awaiting the write of their outcome. */
  private held = 0;
  /** The time as of which the last claim looked for due work (or found no room to), for the due timer. */
  private lookedAt = Number.NEGATIVE_INFINITY;
  /** Webhooks being disabled after a 410, awaited by stop() so nothing writes after it. */
  private readonly disabling = new Set<Promise<unknown>>();
  private unsubscribe: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  readonly leaseMs: number;

  constructor(private readonly options: DispatcherOptions) {
    this.lanes = new Lanes({
      webhookConcurrency: options.webhookConcurrency,
      timeoutMs: options.timeoutMs,
      now: () => options.clock.now(),
      onPaced: (webhookId) => {
        if (this.mode.name !== 'stopped') this.startSends(webhookId);
      },
    });
    this.tenants = new TenantShares(options.concurrency, options.webhookConcurrency);
    this.dueTimer = new DueTimer({
      queue: options.queue,
      clock: options.clock,
      pollIntervalMs: options.pollIntervalMs,
      fire: () => this.wake('timer'),
    });
    this.outcomes = new OutcomeWriter({
      queue: options.queue,
      clock: options.clock,
      onWritten: (count, earliestRetryAt) => {
        this.held -= count;
        // This worker's own retries need no look at the store to be waited for.
        if (earliestRetryAt !== null && this.mode.name !== 'stopped') {
          this.dueTimer.aimNoLaterThan(earliestRetryAt);
        }
        this.wake('room');
      },
      onSettled: () => {
        if (this.isIdle()) this.notifyIdle();
      },
      onError: options.onError,
    });
    this.leaseMs = leaseMs(options.timeoutMs, ROUNDS_BEFORE_A_WAITING_DELIVERY);
  }

  get owner(): string {
    return this.options.owner;
  }

  start(): void {
    if (this.mode.name !== 'stopped') return;
    this.unsubscribe = this.options.queue.onDeliveriesQueued((tenants) => this.wake('work', tenants));
    this.options.queue.setDeliveryTaker?.(this);
    this.caughtUp = null;
    this.lastLook = this.look(true);
  }

  /** Stops claiming, lets requests in flight finish, gives unsent work back and writes every outcome. */
  async stop(): Promise<void> {
    this.enter({ name: 'stopped' });
    this.dueTimer.stop();
    this.lanes.stopPacing();
    this.unsubscribe?.();
    this.options.queue.setDeliveryTaker?.(null);
    await this.lastLook;
    const unsent = this.lanes.takeAllWaiting();
    if (unsent.length > 0) await this.giveBack(unsent);
    await this.idle();
    await Promise.all(this.disabling);
  }

  /** Resolves once nothing is held: every claimed delivery sent and its outcome written. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Claims and sends what is due now until nothing due is left; for tests driving an injected clock. */
  async drain(): Promise<void> {
    for (;;) {
      this.caughtUp = null;
      if ((await this.claim()) === 'none') break;
      await this.idle();
    }
    await this.idle();
  }

  /**
   * Looks at the queue now (or once more after the look under way): for new work, on the timer,
   * because a lane busy at the last claim wants more (`refill`), or because outcomes were written
   * and room made. All but the last end being caught up, except new work of `tenants` (when the
   * announcement names them) that the last claim capped and that still lack a claim's worth of room:
   * a claim could take none of it, and their room coming back wakes one. A tenant fanning an event
   * out to thousands of webhooks announces each step; each would otherwise cost a claim that finds
   * nothing it may take.
   */
  wake(reason: 'work' | 'timer' | 'refill' | 'room', tenants?: readonly string[]): void {
    if (this.mode.name === 'stopped') return;
    if (reason === 'work' && tenants !== undefined && tenants.every((id) => this.isCappedTenant(id))) return;
    if (reason !== 'room' || this.cappedTenantHasRoom()) this.caughtUp = null;
    if (this.mode.name === 'looking') {
      this.mode.lookAgain = true;
      if (reason === 'timer') this.mode.aimTimer = true;
      return;
    }
    this.lastLook = this.look(reason === 'timer');
  }

  /**
   * Room for deliveries handed over by publishes in this process. None unless caught up with the
   * store: older work that may be waiting there is claimed first, in turn.
   */
  roomFor(webhookId: string): number {
    if (!this.takesHandOvers()) return 0;
    return Math.max(0, Math.min(this.free(), this.lanes.roomIn(webhookId)));
  }

  tenantRoomFor(tenantId: string): number {
    return this.takesHandOvers() ? this.tenants.roomFor(tenantId, this.free()) : 0;
  }

  take(deliveries: ClaimedDelivery[]): void {
    this.hold(deliveries);
    for (const webhookId of this.lanes.enqueue(deliveries)) this.startSends(webhookId);
  }

  private takesHandOvers(): boolean {
    return this.mode.name !== 'stopped' && this.caughtUp !== null;
  }

  private free(): number {
    return this.options.concurrency - this.held;
  }

  private hold(deliveries: readonly ClaimedDelivery[]): void {
    this.held += deliveries.length;
    for (const delivery of deliveries) this.tenants.add(delivery.tenantId);
  }

  /** The one place the mode changes. */
  private enter(mode: Mode): void {
    this.mode = mode;
  }

  /** Claims while there is room and work; a look the due timer started aims it again at the end. */
  private async look(aimTimer: boolean): Promise<void> {
    const looking = { name: 'looking' as const, lookAgain: false, aimTimer };
    this.enter(looking);
    do {
      looking.lookAgain = false;
      try {
        // A claim that came back short found all there was to take: no second look until a wake.
        while (this.mode === looking && this.caughtUp === null && (await this.claim()) === 'full') {
          // keep claiming while there is room and work
        }
        // Only a look the timer started aims it again (or one that finds it unarmed): what changes
        // the next due time otherwise is announced, or is this worker's own retry (onWritten).
        if (looking.aimTimer || !this.dueTimer.armed) {
          looking.aimTimer = false;
          await this.dueTimer.aim(this.held, this.lookedAt);
        }
      } catch (error) {
        this.options.onError?.(error);
        this.dueTimer.aimIn(this.options.pollIntervalMs);
      }
      // stop() may have come while the timer was being aimed.
      if (this.mode.name === 'stopped') this.dueTimer.stop();
    } while (this.mode === looking && looking.lookAgain);
    if (this.mode === looking) this.enter({ name: 'idle' });
  }

  /**
   * Claims one batch into the webhooks' lanes: 'full' when it got all it asked for (there may be
   * more), 'short' when it got less, 'none' when it got nothing or had no room to ask.
   */
  private async claim(): Promise<'full' | 'short' | 'none'> {
    const now = this.options.clock.now();
    this.lookedAt = now;
    const free = this.free();
    if (free <= 0) return 'none';
    this.lanes.forgetIdleLanes();
    const webhookRooms = this.lanes.claimRooms();
    const tenantRooms = this.tenants.claimRooms(free);
    const limit = Math.min(free, this.options.claimBatch ?? 256);
    const claimed = await this.options.queue.claimDueDeliveries({
      owner: this.options.owner,
      now,
      leaseUntil: now + this.leaseMs,
      limit,
      perWebhookLimit: this.lanes.roomOfNewLane(),
      webhookRooms,
      perTenantLimit: tenantRooms.others,
      tenantRooms: tenantRooms.rooms,
    });
    this.hold(claimed);
    const excess: ClaimedDelivery[] = [];
    for (const webhookId of this.lanes.enqueue(claimed)) {
      this.startSends(webhookId);
      excess.push(...this.lanes.overflowOf(webhookId));
    }
    if (excess.length > 0) await this.giveBack(excess);
    if (claimed.length === limit) return 'full';
    const rooms = {
      webhooks: webhookRooms,
      otherWebhooks: this.lanes.roomOfNewLane(),
      tenants: tenantRooms.rooms,
      otherTenants: tenantRooms.others,
    };
    this.caughtUp = new CaughtUp(claimed, rooms, this.lanes.holdingARound());
    return claimed.length === 0 ? 'none' : 'short';
  }

  /** Whether a tenant the last short claim filled has room for a claim's worth again. */
  private cappedTenantHasRoom(): boolean {
    if (!this.caughtUp) return false;
    for (const tenantId of this.caughtUp.cappedTenants) {
      if (this.hasRoomForAClaim(tenantId)) return true;
    }
    return false;
  }

  /** Whether the last short claim filled the tenant, and it has not had a claim's worth of room since. */
  private isCappedTenant(tenantId: string): boolean {
    return this.caughtUp?.cappedTenants.has(tenantId) === true && !this.hasRoomForAClaim(tenantId);
  }

  private hasRoomForAClaim(tenantId: string): boolean {
    return this.tenants.roomFor(tenantId, this.free()) >= Math.ceil(this.options.concurrency / 16);
  }

  private startSends(webhookId: string): void {
    for (const delivery of this.lanes.startable(webhookId)) void this.sendOne(webhookId, delivery);
  }

  /** Sends one attempt (AttemptSender.send never rejects) and queues its outcome for writing. */
  private async sendOne(webhookId: string, delivery: ClaimedDelivery): Promise<void> {
    const result = await this.options.sender.send(delivery);
    this.lanes.finished(webhookId, result);
    this.tenants.remove(delivery.tenantId);
    const outcome = decideOutcome(delivery, result, this.options.retryPolicy, this.options.clock.now());
    this.options.observer?.attempted(delivery, outcome);
    this.outcomes.add(outcome);
    if (outcome.disableWebhook) this.disableWebhook(delivery, outcome.disableWebhook);
    const excess = this.lanes.overflowOf(webhookId);
    if (excess.length > 0) void this.giveBack(excess);
    this.startSends(webhookId);
    // Claimed now, while the rest of the lane is sent; not once its outcomes are written (a round
    // trip to the store later), which would leave it empty meanwhile.
    if (this.caughtUp?.busyLanes.has(webhookId) && this.lanes.wantsMore(webhookId)) this.wake('refill');
  }

  /**
   * The receiver asked for no more deliveries: what waits in the lane goes back to the store unsent
   * (it waits there until the webhook is enabled again) and the webhook is disabled.
   */
  private disableWebhook(delivery: ClaimedDelivery, reason: string): void {
    const waiting = this.lanes.takeWaiting(delivery.webhookId);
    if (waiting.length > 0) void this.giveBack(waiting);
    const disabling = this.options.health
      .disable(delivery, reason)
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => this.disabling.delete(disabling));
    this.disabling.add(disabling);
  }

  /** Hands claimed deliveries back unsent, due at once; they count as held until the store has them. */
  private async giveBack(deliveries: ClaimedDelivery[]): Promise<void> {
    try {
      await this.options.queue.releaseDeliveries(
        deliveries.map((delivery) => ({ deliveryId: delivery.id, lease: delivery.lease })),
        this.options.clock.now(),
      );
    } catch (error) {
      // The database is away: their leases expire and they fall due again. Sends in flight still finish.
      this.options.onError?.(error);
    } finally {
      this.held -= deliveries.length;
      for (const delivery of deliveries) this.tenants.remove(delivery.tenantId);
      if (this.isIdle()) this.notifyIdle();
    }
  }

  private isIdle(): boolean {
    return this.held === 0 && this.outcomes.settled;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
