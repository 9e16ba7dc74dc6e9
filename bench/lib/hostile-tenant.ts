/**
 * The hostile tenant of the `hostile` scenario (issue 12, item 2): 64 webhooks whose receiver answers
 * 200 and then trickles the body one byte every 100 ms, 4 that answer only after 9.5 s and 10 that
 * never answer, with an event published to all of them every 100 ms so that they stay busy for as
 * long as the tenant runs.
 *
 * Their receiver is the tests' HostileReceiver, run in this process (the orchestrator, idle while the
 * load generator works) so that it shares no event loop with Herald or the healthy receiver.
 */
import { HostileReceiver } from '../../test/support/hostile-receiver.js';
import type { HeraldApi } from './herald.js';
import { EVENT_TYPE, eventData, wallNow } from './payload.js';
import { sleep } from './procs.js';

export const HOSTILE_TENANT_ID = 'tenant_hostile';

/** Each kind of webhook the tenant has: the receiver's path for it, and how many there are. */
const WEBHOOK_KINDS: { path: string; params: Record<string, string>; count: number }[] = [
  { path: '/trickle', params: { every: '100' }, count: 64 },
  { path: '/slow-headers', params: { after: '9500' }, count: 4 },
  { path: '/hang', params: {}, count: 10 },
];

const PUBLISH_EVERY_MS = 100;

/**
 * The connections open to the tenant's receiver, sampled every 100 ms: those carrying its webhooks'
 * requests, and any Herald keeps idle for a while after an attempt ends.
 */
export interface HeldConnections {
  fewest: number;
  most: number;
  mean: number;
}

export class HostileTenant {
  private publishing = true;
  private published = 0;
  private refused = 0;
  private publishLoop: Promise<void> = Promise.resolve();
  private readonly samples: number[] = [];
  private sampler: NodeJS.Timeout | undefined;
  /** When every webhook had received a request (wall-clock ms): Herald's first attempts began about then. */
  hostileSince = Number.NaN;

  private constructor(
    private readonly api: HeraldApi,
    private readonly receiver: HostileReceiver,
  ) {}

  /**
   * Creates the tenant (limits lifted, as for the benchmark tenant) and its webhooks on `api`, starts
   * publishing, and resolves once every webhook has received a request: the tenant is then hostile.
   */
  static async start(api: HeraldApi): Promise<HostileTenant> {
    const receiver = await new HostileReceiver().start();
    const tenant = new HostileTenant(api, receiver);
    try {
      await api.createTenant(HOSTILE_TENANT_ID);
      // A distinct URL a webhook (the receiver ignores the extra parameter) so each can be told apart.
      const urls = WEBHOOK_KINDS.flatMap(({ path, params, count }) =>
        Array.from({ length: count }, (_, i) =>
          receiver.url(`${path}?${new URLSearchParams({ ...params, webhook: String(i) })}`),
        ),
      );
      await api.createWebhooks(urls, HOSTILE_TENANT_ID);
      tenant.publishLoop = tenant.publishEvery(PUBLISH_EVERY_MS);
      await receiver.waitUntil(
        () => new Set(receiver.requests.map((request) => request.target)).size >= urls.length,
        `a request at each of the ${urls.length} hostile webhooks`,
        30_000,
      );
      tenant.hostileSince = wallNow();
      tenant.sampleConnections();
      return tenant;
    } catch (error) {
      await tenant.stop();
      throw error;
    }
  }

  /** The connections held open since the tenant became hostile. */
  get connectionsHeld(): HeldConnections {
    const sum = this.samples.reduce((total, open) => total + open, 0);
    return {
      fewest: Math.min(...this.samples),
      most: Math.max(...this.samples),
      mean: sum / this.samples.length,
    };
  }

  /** What the tenant did so far, for a run's details. */
  details() {
    const requests = Object.fromEntries(
      WEBHOOK_KINDS.map(({ path }) => [
        path,
        this.receiver.requests.filter((request) => request.target.startsWith(`${path}?`)).length,
      ]),
    );
    return {
      eventsPublished: this.published,
      publishesRefused: this.refused,
      requestsByPath: requests,
      connectionsAccepted: this.receiver.acceptedConnections,
      connectionsHeld: this.connectionsHeld,
    };
  }

  /** Stops publishing and closes the receiver, which ends the requests Herald holds open to it. */
  async stop(): Promise<void> {
    clearInterval(this.sampler);
    this.publishing = false;
    await this.publishLoop;
    await this.receiver.close();
  }

  private sampleConnections(): void {
    const sample = () => this.samples.push(this.receiver.openConnections);
    sample();
    this.sampler = setInterval(sample, 100);
  }

  /** One event every `everyMs` or so; a slow answer delays the next instead of piling requests up. */
  private async publishEvery(everyMs: number): Promise<void> {
    for (let seq = 0; this.publishing; seq++) {
      const nextAt = wallNow() + everyMs;
      try {
        const answer = await this.api.call('POST', `/v1/tenants/${HOSTILE_TENANT_ID}/events`, {
          event: EVENT_TYPE,
          data: eventData(seq, wallNow()),
        });
        if (answer.status === 202) this.published += 1;
        else this.refused += 1;
      } catch {
        this.refused += 1;
      }
      await sleep(Math.max(0, nextAt - wallNow()));
    }
  }
}
