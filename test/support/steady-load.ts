/**
 * Constant load on a SQLite store with retention, on an injected clock: an hour's events published,
 * claimed and recorded as delivered, then the background worker's pruning, hour after hour. The
 * store test asserts that the file stops growing; the `retention` benchmark reports the sizes.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/core/clock.js';
import { buildEvent } from '../../src/core/payload.js';
import type { AttemptOutcome } from '../../src/core/types.js';
import { BackgroundWorker } from '../../src/delivery/background-worker.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { eventually } from './eventually.js';

const HOUR = 3_600_000;

export interface SteadyLoad {
  tenantId: string;
  webhookId: string;
  eventsPerHour: number;
  /** HERALD_RETENTION, in hours. */
  windowHours: number;
  windows: number;
}

export interface SteadyLoadResult {
  /** db + WAL after each window, in bytes. */
  sizes: number[];
  clock: ManualClock;
}

/** Drives `store` (migrated, empty) at the database file `path` through `load.windows` windows. */
export async function runSteadyLoad(
  store: SqliteStore,
  path: string,
  load: SteadyLoad,
): Promise<SteadyLoadResult> {
  const clock = new ManualClock();
  await store.createTenant({ id: load.tenantId, name: load.tenantId, createdAt: clock.now() });
  await store.createWebhook({
    id: load.webhookId,
    tenantId: load.tenantId,
    url: 'https://hooks.example.com/steady',
    description: '',
    events: [],
    status: 'active',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    createdAt: clock.now(),
    updatedAt: clock.now(),
  });
  const worker = new BackgroundWorker({
    store,
    clock,
    pollIntervalMs: 1_000,
    retentionMs: load.windowHours * HOUR,
  });

  /** An hour of traffic: every event published and delivered, then the worker's background work. */
  async function hourOfTraffic(hour: number): Promise<void> {
    const now = clock.now();
    for (let batch = 0; batch < load.eventsPerHour / 100; batch++) {
      const events = Array.from({ length: 100 }, (_, i) => {
        const id = `evt_${hour}_${batch}_${i}`;
        return buildEvent({ id, tenantId: load.tenantId, event: 'kpi.alert', data: { id, value: i }, now });
      });
      await store.publishEvents(events, now);
    }
    const claim = { owner: 'w', now, leaseUntil: now + 30_000, limit: 500, perWebhookLimit: 500 };
    for (let claimed = await store.claimDueDeliveries(claim); claimed.length > 0; ) {
      const outcomes = claimed.map(
        (c): AttemptOutcome => ({
          deliveryId: c.id,
          lease: c.lease,
          // What a real attempt records: the signed headers it was sent with.
          requestHeaders: {
            'content-type': 'application/json',
            'user-agent': 'Herald/0.1.0',
            'webhook-id': c.eventId,
            'webhook-timestamp': String(Math.floor(now / 1000)),
            'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
            'x-webhook-signature': 'sha256=2c3d8f0e4b1a6c9d7e5f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d',
          },
          verdict: 'succeeded',
          attemptedAt: now + 100,
          responseTimeMs: 12,
          statusCode: 200,
          error: null,
          responseBody: 'ok',
        }),
      );
      await store.completeDeliveries(outcomes, now + 100);
      claimed = await store.claimDueDeliveries(claim);
    }
    clock.advance(HOUR);
    await worker.drain();
  }

  const sizes: number[] = [];
  for (let hour = 1; hour <= load.windows * load.windowHours; hour++) {
    await hourOfTraffic(hour);
    if (hour % load.windowHours === 0) sizes.push(await fileSize(path));
  }
  return { sizes, clock };
}

/** db + WAL once the WAL is checkpointed and truncated, as the checkpoint thread does every minute. */
async function fileSize(path: string): Promise<number> {
  const checkpointer = new Database(path);
  try {
    // Busy while the checkpoint thread runs one of its own: then again.
    await eventually(() => {
      const [result] = checkpointer.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return result?.busy === 0 ? true : undefined;
    }, 'a TRUNCATE checkpoint');
  } finally {
    checkpointer.close();
  }
  const wal = `${path}-wal`;
  return statSync(path).size + (existsSync(wal) ? statSync(wal).size : 0);
}
