import { eventTypeDetailsSetBy, eventTypesAddedBy } from '../event-types-by-version.js';
import type { SqliteConnection } from './connection.js';

/**
 * Schema versions, applied in order inside one transaction each; `PRAGMA user_version` records how
 * far a database has come. Append, never edit, once released.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE event_types (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL
  );

  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    events TEXT NOT NULL,
    status TEXT NOT NULL,
    secret TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX webhooks_by_tenant ON webhooks (tenant_id, id);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload BLOB NOT NULL,
    timestamp INTEGER NOT NULL,
    deliveries INTEGER NOT NULL,
    UNIQUE (tenant_id, id)
  );

  -- One row per attempt. A pending row is the queue entry of the next attempt: leasing it moves
  -- next_attempt_at to the lease expiry, so an abandoned lease simply falls due again.
  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    status_code INTEGER,
    response_time_ms INTEGER,
    response_body TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    attempted_at INTEGER,
    next_attempt_at INTEGER,
    lease TEXT
  );
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, id);

  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    error TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    failed_at INTEGER NOT NULL
  );
  CREATE INDEX dead_letters_by_tenant ON dead_letters (tenant_id, id);
  CREATE INDEX dead_letters_by_webhook ON dead_letters (webhook_id, id);
  `,
  `
  -- Claims visit webhooks one by one and take each one's oldest due deliveries.
  CREATE INDEX deliveries_pending_by_webhook ON deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
  `,
  `
  -- Every queue lookup goes webhook by webhook through deliveries_pending_by_webhook; one index
  -- fewer to keep up makes every publish, claim and outcome cheaper.
  DROP INDEX deliveries_due;
  `,
  `
  -- Receivers' signals and per-webhook delivery settings; a tenant's own quotas (JSON, {} for none).
  ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;
  ALTER TABLE webhooks ADD COLUMN failing_since INTEGER;
  ALTER TABLE webhooks ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none';
  ALTER TABLE webhooks ADD COLUMN rate_limit REAL;
  ALTER TABLE tenants ADD COLUMN limits TEXT NOT NULL DEFAULT '{}';
  `,
  `
  -- An ordered (fifo) webhook's deliveries wait blocked, next_attempt_at NULL, until their turn:
  -- only they are in this index, in the order they were queued.
  CREATE INDEX deliveries_blocked ON deliveries (webhook_id, id) WHERE status = 'pending' AND next_attempt_at IS NULL;
  -- Test deliveries are never claimed; this finds the ones whose sender went away.
  CREATE INDEX deliveries_pending_tests ON deliveries (next_attempt_at) WHERE status = 'pending' AND trigger = 'test';

  -- Work left to the background so that every request stays short (store/bounded-work.ts): an
  -- event's deliveries to many webhooks, created in chunks after after_webhook_id; and a deleted
  -- webhook's rows, removed in chunks.
  CREATE TABLE fanouts (
    event_seq INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    event TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    after_webhook_id TEXT NOT NULL DEFAULT ''
  );
  CREATE TABLE webhook_purges (
    webhook_id TEXT PRIMARY KEY
  );
  `,
  `
  -- Retention (HERALD_RETENTION) prunes an event with its deliveries once nothing needs it: these
  -- find what still refers to an event without reading the whole table.
  CREATE INDEX deliveries_by_event ON deliveries (event_seq);
  CREATE INDEX dead_letters_by_event ON dead_letters (event_seq);
  `,
  `
  -- API keys that expire, can be revoked (their row deleted) and say when they were last used;
  -- prefix is the key's start, shown so that people can tell their keys apart (null before this version).
  ALTER TABLE api_keys ADD COLUMN prefix TEXT;
  ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
  ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
  CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);
  -- A deleted tenant whose events are still being removed, a chunk at a time; its id is not reusable
  -- until they are gone.
  CREATE TABLE tenant_purges (
    tenant_id TEXT PRIMARY KEY
  );

  -- An id the publisher chose, remembered for the idempotency window with the hash of its body and
  -- the first publish's result; after the window the same id is a new event, so events.id is no
  -- longer unique (SQLite cannot drop a table's UNIQUE constraint: the table is rebuilt).
  CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    body_hash TEXT,
    event TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    deliveries INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
  );
  CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
  -- The last day's ids stay recognised across the upgrade; their body was not hashed (NULL: any body replays).
  INSERT INTO idempotency_keys (tenant_id, id, body_hash, event, timestamp, deliveries, created_at)
    SELECT tenant_id, id, NULL, event, timestamp, deliveries, timestamp FROM events
    WHERE timestamp >= (unixepoch() - 86400) * 1000;
  CREATE TABLE events_rebuilt (
    seq INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload BLOB NOT NULL,
    timestamp INTEGER NOT NULL,
    deliveries INTEGER NOT NULL
  );
  INSERT INTO events_rebuilt (seq, tenant_id, id, event, payload, timestamp, deliveries)
    SELECT seq, tenant_id, id, event, payload, timestamp, deliveries FROM events;
  DROP TABLE events;
  ALTER TABLE events_rebuilt RENAME TO events;
  CREATE INDEX events_by_tenant ON events (tenant_id, id);
  `,
  `
  -- Secret rotation: the secret a rotation replaced (sealed, like secret) still signs until
  -- previous_secret_until.
  ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
  ALTER TABLE webhooks ADD COLUMN previous_secret_until INTEGER;
  -- Each attempt's request headers as sent (JSON), so its history survives a change of secret.
  ALTER TABLE deliveries ADD COLUMN request_headers TEXT;
  `,
  `
  -- Each webhook's attempts by the hour they were made, kept up with the outcomes, so that its
  -- health (success rate, last success and failure, a chart) is a read of a few rows however long
  -- its history: times are epoch milliseconds, hour the start of the hour.
  CREATE TABLE webhook_stats (
    webhook_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    succeeded INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    response_ms INTEGER NOT NULL,
    last_success_at INTEGER,
    last_failure_at INTEGER,
    PRIMARY KEY (webhook_id, hour)
  ) WITHOUT ROWID;
  INSERT INTO webhook_stats (webhook_id, hour, succeeded, failed, response_ms, last_success_at, last_failure_at)
    SELECT webhook_id, attempted_at - attempted_at % 3600000,
      sum(status = 'succeeded'), sum(status = 'failed'), coalesce(sum(response_time_ms), 0),
      max(CASE WHEN status = 'succeeded' THEN attempted_at END),
      max(CASE WHEN status = 'failed' THEN attempted_at END)
    FROM deliveries WHERE status IN ('succeeded', 'failed') AND attempted_at IS NOT NULL
    GROUP BY webhook_id, attempted_at - attempted_at % 3600000;
  `,
  `
  -- The attempt that put each dead letter in the queue, so the DLQ can show its response without
  -- guessing among later resends of the same event (rows from before: the event's last failed attempt).
  ALTER TABLE dead_letters ADD COLUMN last_delivery_id INTEGER;
  UPDATE dead_letters SET last_delivery_id = (
    SELECT max(d.id) FROM deliveries d
    WHERE d.event_seq = dead_letters.event_seq AND d.webhook_id = dead_letters.webhook_id AND d.status = 'failed');
  -- Replays under way (a replayed letter's pending attempt) are listed per tenant; few rows, so a small index.
  CREATE INDEX deliveries_replaying ON deliveries (tenant_id, id) WHERE status = 'pending' AND trigger = 'replay';
  `,
  `
  -- The event catalogue: each type's JSON Schema and example of its data (JSON text, NULL for none),
  -- whether publishes must match the schema, and its place in the list. The default types get
  -- positions 1..n and their details from eventTypeDetailsSetBy; types an admin added come after
  -- them, by name, and new ones after those.
  ALTER TABLE event_types ADD COLUMN schema TEXT;
  ALTER TABLE event_types ADD COLUMN example TEXT;
  ALTER TABLE event_types ADD COLUMN enforce_schema INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE event_types ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
  UPDATE event_types SET position = 1000 + ranked.n
    FROM (SELECT name, row_number() OVER (ORDER BY name) AS n FROM event_types) AS ranked
    WHERE ranked.name = event_types.name;
  `,
  `
  -- How the console looks to a tenant's own people: accent colour, logo, product name ({} for Herald's).
  ALTER TABLE tenants ADD COLUMN branding TEXT NOT NULL DEFAULT '{}';
  `,
  `
  -- The hours of attempt counts that retention prunes, found by age (store/retention.ts).
  CREATE INDEX webhook_stats_by_hour ON webhook_stats (hour);
  `,
];

/** The version the file's schema is at, and the last one this Herald knows. */
export function sqliteSchemaVersion(connection: SqliteConnection): { applied: number; expected: number } {
  const applied = connection.db.pragma('user_version', { simple: true }) as number;
  return { applied, expected: SQLITE_MIGRATIONS.length };
}

/** Brings the file's schema up to the last version, one transaction per version. */
export function migrateSqlite(connection: SqliteConnection): void {
  const current = connection.db.pragma('user_version', { simple: true }) as number;
  SQLITE_MIGRATIONS.slice(current).forEach((migration, index) => {
    const version = current + index + 1;
    connection.transaction(() => {
      connection.db.exec(migration);
      const insert = connection.sql(
        'INSERT INTO event_types (name, description) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
      );
      for (const type of eventTypesAddedBy(version)) insert.run(type.name, type.description);
      for (const details of eventTypeDetailsSetBy(version)) {
        // Prepared only for the version that has these columns: earlier versions could not compile it.
        connection
          .sql(
            'UPDATE event_types SET position = @position, schema = @schema, example = @example WHERE name = @name',
          )
          .run(details);
      }
      connection.db.pragma(`user_version = ${version}`);
    });
  });
}
