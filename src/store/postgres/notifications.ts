import pg from 'pg';
import { QUEUED_WORK_KINDS, type QueuedWork } from '../queued-work.js';

/**
 * One channel for every Herald schema in the database; the payload says which schema queued work
 * and which store instance did it. Tagging the payload rather than naming a channel per schema keeps
 * schema names of any length usable; listeners of other schemas receive the message and drop it.
 */
export const QUEUED_CHANNEL = 'herald_deliveries';

/**
 * The longest list of tenant names a payload carries (a payload must stay under 8,000 bytes); a
 * longer one is left out, and work announced without names may be any tenant's.
 */
const MAX_NAMES_LENGTH = 1_000;

/** `tenants`: whose deliveries were queued, when known (tenant ids hold no comma or space). */
export function queuedPayload(
  schema: string,
  origin: string,
  kind: QueuedWork = 'deliveries',
  tenants?: readonly string[],
): string {
  const payload = `${schema} ${origin} ${kind}`;
  const names = tenants?.join(',') ?? '';
  return names.length > 0 && names.length <= MAX_NAMES_LENGTH ? `${payload} ${names}` : payload;
}

/** Announces, in the transaction of `client`, that `origin` queued work in `schema`; sent on commit. */
export function notifyQueued(
  client: pg.ClientBase,
  schema: string,
  origin: string,
  kind: QueuedWork = 'deliveries',
  tenants?: readonly string[],
): Promise<unknown> {
  return client.query('SELECT pg_notify($1, $2)', [
    QUEUED_CHANNEL,
    queuedPayload(schema, origin, kind, tenants),
  ]);
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * A dedicated connection that LISTENs for queued work announced by other store instances (other
 * processes, other machines). A pooled connection cannot LISTEN: it would hear nothing while idle in
 * the pool. When the connection drops it reconnects with capped exponential backoff, and after every
 * (re)connect it wakes the listeners once, because anything announced while it was away went unheard.
 */
export class QueuedWorkListener {
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoffMs = 0;
  private started = false;
  private stopped = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
    private readonly origin: string,
    private readonly wake: (kind: QueuedWork, tenants?: readonly string[]) => void,
  ) {}

  /** Connects on the first call; later calls, and calls after stop(), do nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(this.config);
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel !== QUEUED_CHANNEL || !message.payload) return;
      const [schema, origin, kind, names] = message.payload.split(' ');
      // This instance's own commits already woke its listeners directly.
      if (schema === this.schema && origin !== this.origin) {
        this.wake(QUEUED_WORK_KINDS.find((known) => known === kind) ?? 'deliveries', names?.split(','));
      }
    });
    // Without an 'error' listener a dropped connection would be an uncaught exception.
    client.on('error', () => this.reconnectLater(client));
    client.on('end', () => this.reconnectLater(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${QUEUED_CHANNEL}`);
    } catch {
      this.reconnectLater(client);
      return;
    }
    if (this.client !== client) return;
    this.backoffMs = 0;
    for (const kind of QUEUED_WORK_KINDS) this.wake(kind);
  }

  private reconnectLater(client: pg.Client): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.backoffMs = Math.min(Math.max(this.backoffMs * 2, MIN_BACKOFF_MS), MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, this.backoffMs);
  }
}
