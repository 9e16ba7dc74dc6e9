import type pg from 'pg';
import { eventTypeDetailsSetBy, eventTypesAddedBy } from '../event-types-by-version.js';
import type { PostgresConnection } from './connection.js';

/**
 * Schema versions, applied in order, each in its own transaction; the `herald_migrations` table
 * records which have run. Append, never edit, once released.
 *
 * The shape mirrors the SQLite schema. Differences are deliberate: times are epoch-millisecond
 * `bigint`s passed in by the caller's clock, payloads are `bytea`, a webhook's event filter is a
 * `text[]` so publishing can match subscribers in SQL, and ids that are paged or sorted compare
 * bytewise (`COLLATE "C"`) whatever the database's locale, as they do in SQLite. Deliveries and dead
 * letters carry no foreign keys: a key check would lock the webhook row on every insert of the hot
 * path, and deleteWebhook removes them itself.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tenants (
    id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    created_at bigint NOT NULL
  );

  CREATE TABLE api_keys (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    name text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    created_at bigint NOT NULL
  );

  CREATE TABLE event_types (
    name text COLLATE "C" PRIMARY KEY,
    description text NOT NULL
  );

  CREATE TABLE webhooks (
    id text COLLATE "C" PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    url text NOT NULL,
    description text NOT NULL,
    events text[] NOT NULL,
    status text NOT NULL,
    secret text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE INDEX webhooks_by_tenant ON webhooks (tenant_id, id);

  CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id text NOT NULL,
    id text NOT NULL,
    event text NOT NULL,
    payload bytea NOT NULL,
    timestamp bigint NOT NULL,
    deliveries integer NOT NULL,
    UNIQUE (tenant_id, id)
  );

  -- One row per attempt. A pending row is the queue entry of the next attempt: leasing it moves
  -- next_attempt_at to the lease expiry, so an abandoned lease simply falls due again.
  CREATE TABLE deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id text NOT NULL,
    webhook_id text NOT NULL,
    event_seq bigint NOT NULL,
    attempt integer NOT NULL,
    trigger text NOT NULL,
    status text NOT NULL,
    status_code integer,
    response_time_ms integer,
    response_body text,
    error text,
    created_at bigint NOT NULL,
    attempted_at bigint,
    next_attempt_at bigint,
    lease text
  );
  CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, id);

  CREATE TABLE dead_letters (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id text NOT NULL,
    webhook_id text NOT NULL,
    event_seq bigint NOT NULL,
    error text NOT NULL,
    attempts integer NOT NULL,
    failed_at bigint NOT NULL
  );
  CREATE INDEX dead_letters_by_tenant ON dead_letters (tenant_id, id);
  CREATE INDEX dead_letters_by_webhook ON dead_letters (webhook_id, id);

  -- The two queue lookups are functions so that they can plan with sorting disabled. Until
  -- autovacuum first analyzes deliveries (up to a minute after a fresh install takes its first
  -- burst), the planner guesses a handful of due rows and sorts them all on every claim, which costs
  -- O(queue) per claim; walking deliveries_due in order costs O(batch) whatever the statistics say.
  -- A disabled sort that cannot be avoided (the share ranking) still runs, but its penalty inflates
  -- the plan's cost far past jit_above_cost: the store's connections turn JIT off (see PostgresStore).
  -- search_path is fixed at creation so the bodies always resolve to this schema's tables.

  -- Locks (for the calling statement's transaction) up to max_rows due deliveries of active
  -- webhooks that no other transaction holds, oldest due first, at most per_webhook of one webhook.
  -- The share is counted over the oldest max_rows * 8 due rows (as the SQLite store does), because
  -- FOR UPDATE cannot sit beside a window function: candidates are ranked first, then locked.
  CREATE FUNCTION herald_lock_due_deliveries(
    due_by bigint,
    skip_webhook_ids text[],
    max_rows integer,
    per_webhook integer
  )
  RETURNS SETOF bigint
  LANGUAGE sql VOLATILE
  -- A low estimate, so the claim joins the rows it locked by key instead of scanning whole tables.
  ROWS 10
  SET enable_sort = off
  SET search_path FROM CURRENT
  AS $$
    WITH candidates AS (
      SELECT d.id, d.webhook_id, d.next_attempt_at FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= due_by AND w.status = 'active'
        AND d.webhook_id <> ALL (skip_webhook_ids)
      ORDER BY d.next_attempt_at
      LIMIT max_rows * 8
    ), shares AS (
      SELECT id, next_attempt_at,
        row_number() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS place
      FROM candidates
    )
    -- The due condition is repeated on d so that a row another claim leased meanwhile is re-checked
    -- when locked, and dropped.
    SELECT d.id FROM shares s JOIN deliveries d ON d.id = s.id
    WHERE s.place <= per_webhook AND d.status = 'pending' AND d.next_attempt_at <= due_by
    ORDER BY s.next_attempt_at, s.id
    LIMIT max_rows
    FOR UPDATE OF d SKIP LOCKED
  $$;

  CREATE FUNCTION herald_next_due_at()
  RETURNS bigint
  LANGUAGE sql STABLE
  SET enable_sort = off
  SET search_path FROM CURRENT
  AS $$
    SELECT d.next_attempt_at FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.status = 'pending' AND w.status = 'active'
    ORDER BY d.next_attempt_at
    LIMIT 1
  $$;
  `,
  `
  -- Claims visit the webhooks with due work one by one (round-robin from a cursor) and lock each
  -- one's oldest due deliveries with SKIP LOCKED: workers claiming at once take different rows of
  -- the same webhook, and one webhook's backlog is never scanned past to reach the others.
  CREATE INDEX deliveries_pending_by_webhook ON deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';

  CREATE FUNCTION herald_lock_due_by_webhook(
    due_by bigint,
    skip_webhook_ids text[],
    max_rows integer,
    per_webhook integer,
    after_webhook text
  )
  RETURNS SETOF bigint
  LANGUAGE sql VOLATILE
  ROWS 10
  SET search_path FROM CURRENT
  AS $$
    SELECT picked.id
    FROM (
      SELECT w.id FROM webhooks w
      WHERE w.status = 'active' AND w.id <> ALL (skip_webhook_ids)
        AND EXISTS (
          SELECT 1 FROM deliveries d
          WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= due_by
        )
      ORDER BY w.id <= after_webhook, w.id
      LIMIT max_rows
    ) hooks
    CROSS JOIN LATERAL (
      SELECT d.id FROM deliveries d
      WHERE d.webhook_id = hooks.id AND d.status = 'pending' AND d.next_attempt_at <= due_by
      ORDER BY d.next_attempt_at
      LIMIT per_webhook
      FOR UPDATE SKIP LOCKED
    ) picked
    LIMIT max_rows
  $$;

  DROP FUNCTION herald_lock_due_deliveries(bigint, text[], integer, integer);
  `,
  `
  -- A webhook id compares bytewise everywhere, as webhooks.id does. With the database's collation
  -- on these columns, a join on webhooks.id could not use their indexes.
  ALTER TABLE deliveries ALTER COLUMN webhook_id TYPE text COLLATE "C";
  ALTER TABLE dead_letters ALTER COLUMN webhook_id TYPE text COLLATE "C";

  -- Every queue lookup now goes webhook by webhook through deliveries_pending_by_webhook. With
  -- deliveries_due beside it, the planner (which cannot know how the queue splits between webhooks)
  -- would walk one webhook's whole backlog in due order to find another's first row. One index
  -- fewer also makes every insert and lease cheaper.
  DROP INDEX deliveries_due;
  DROP FUNCTION herald_next_due_at();
  -- Claims are written out in the statement: a function body was planned anew on every call.
  DROP FUNCTION herald_lock_due_by_webhook(bigint, text[], integer, integer, text);
  `,
  `
  -- Receivers' signals and per-webhook delivery settings; a tenant's own quotas ({} for none).
  ALTER TABLE webhooks
    ADD COLUMN disabled_reason text,
    ADD COLUMN failing_since bigint,
    ADD COLUMN ordering text NOT NULL DEFAULT 'none',
    ADD COLUMN rate_limit double precision;
  ALTER TABLE tenants ADD COLUMN limits jsonb NOT NULL DEFAULT '{}';
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
    event_seq bigint PRIMARY KEY,
    tenant_id text COLLATE "C" NOT NULL,
    event text NOT NULL,
    published_at bigint NOT NULL,
    after_webhook_id text COLLATE "C" NOT NULL DEFAULT ''
  );
  CREATE TABLE webhook_purges (
    webhook_id text COLLATE "C" PRIMARY KEY
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
  ALTER TABLE api_keys
    ADD COLUMN prefix text,
    ADD COLUMN expires_at bigint,
    ADD COLUMN last_used_at bigint;
  ALTER TABLE api_keys ALTER COLUMN id TYPE text COLLATE "C";
  CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);
  -- A deleted tenant whose events are still being removed, a chunk at a time; its id is not reusable
  -- until they are gone.
  CREATE TABLE tenant_purges (
    tenant_id text COLLATE "C" PRIMARY KEY
  );

  -- An id the publisher chose, remembered for the idempotency window with the hash of its body and
  -- the first publish's result; after the window the same id is a new event, so events.id is no
  -- longer unique.
  CREATE TABLE idempotency_keys (
    tenant_id text NOT NULL,
    id text NOT NULL,
    body_hash text,
    event text NOT NULL,
    timestamp bigint NOT NULL,
    deliveries integer NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
  );
  CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
  -- The last day's ids stay recognised across the upgrade; their body was not hashed (NULL: any body replays).
  INSERT INTO idempotency_keys (tenant_id, id, body_hash, event, timestamp, deliveries, created_at)
    SELECT tenant_id, id, NULL, event, timestamp, deliveries, timestamp FROM events
    WHERE timestamp >= (extract(epoch FROM now())::bigint - 86400) * 1000;
  ALTER TABLE events DROP CONSTRAINT events_tenant_id_id_key;
  CREATE INDEX events_by_tenant ON events (tenant_id, id);
  `,
  `
  -- Secret rotation: the secret a rotation replaced (sealed, like secret) still signs until
  -- previous_secret_until.
  ALTER TABLE webhooks
    ADD COLUMN previous_secret text,
    ADD COLUMN previous_secret_until bigint;
  -- Each attempt's request headers as sent (JSON), so its history survives a change of secret.
  ALTER TABLE deliveries ADD COLUMN request_headers text;
  `,
  `
  -- Each webhook's attempts by the hour they were made, kept up with the outcomes, so that its
  -- health (success rate, last success and failure, a chart) is a read of a few rows however long
  -- its history: times are epoch milliseconds, hour the start of the hour.
  CREATE TABLE webhook_stats (
    webhook_id text COLLATE "C" NOT NULL,
    hour bigint NOT NULL,
    succeeded integer NOT NULL,
    failed integer NOT NULL,
    response_ms bigint NOT NULL,
    last_success_at bigint,
    last_failure_at bigint,
    PRIMARY KEY (webhook_id, hour)
  );
  INSERT INTO webhook_stats (webhook_id, hour, succeeded, failed, response_ms, last_success_at, last_failure_at)
    SELECT webhook_id, attempted_at - attempted_at % 3600000,
      count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed'),
      coalesce(sum(response_time_ms), 0),
      max(attempted_at) FILTER (WHERE status = 'succeeded'), max(attempted_at) FILTER (WHERE status = 'failed')
    FROM deliveries WHERE status IN ('succeeded', 'failed') AND attempted_at IS NOT NULL
    GROUP BY webhook_id, attempted_at - attempted_at % 3600000;
  `,
  `
  -- The attempt that put each dead letter in the queue, so the DLQ can show its response without
  -- guessing among later resends of the same event (rows from before: the event's last failed attempt).
  ALTER TABLE dead_letters ADD COLUMN last_delivery_id bigint;
  UPDATE dead_letters SET last_delivery_id = (
    SELECT max(d.id) FROM deliveries d
    WHERE d.event_seq = dead_letters.event_seq AND d.webhook_id = dead_letters.webhook_id AND d.status = 'failed');
  -- Replays under way (a replayed letter's pending attempt) are listed per tenant; few rows, so a small index.
  CREATE INDEX deliveries_replaying ON deliveries (tenant_id, id) WHERE status = 'pending' AND trigger = 'replay';
  `,
  `
  -- The event catalogue: each type's JSON Schema and example of its data (JSON text, not jsonb, so
  -- that keys keep the order they were written in; NULL for none), whether publishes must match the
  -- schema, and its place in the list. The default types get positions 1..n and their details from
  -- eventTypeDetailsSetBy; types an admin added come after them, by name, and new ones after those.
  ALTER TABLE event_types
    ADD COLUMN schema text,
    ADD COLUMN example text,
    ADD COLUMN enforce_schema boolean NOT NULL DEFAULT false,
    ADD COLUMN position integer NOT NULL DEFAULT 0;
  UPDATE event_types SET position = 1000 + ranked.n
    FROM (SELECT name, row_number() OVER (ORDER BY name) AS n FROM event_types) AS ranked
    WHERE ranked.name = event_types.name;
  `,
  `
  -- How the console looks to a tenant's own people: accent colour, logo, product name ({} for Herald's).
  ALTER TABLE tenants ADD COLUMN branding jsonb NOT NULL DEFAULT '{}';
  `,
  `
  -- The hours of attempt counts that retention prunes, found by age (store/retention.ts).
  CREATE INDEX webhook_stats_by_hour ON webhook_stats (hour);
  `,
];

/** pg_advisory_lock(namespace, hashtext(schema)): "HERA", so migrations of one schema run one at a time. */
const MIGRATION_LOCK_NAMESPACE = 0x48455241;

/** The version the schema is at, and the last one this Herald knows; throws while the database is away. */
export async function postgresSchemaVersion(
  connection: PostgresConnection,
): Promise<{ applied: number; expected: number }> {
  const expected = POSTGRES_MIGRATIONS.length;
  // A schema never migrated has no herald_migrations table: version 0, not an error.
  const table = await connection.query<{ found: string | null }>(
    "SELECT to_regclass('herald_migrations') AS found",
  );
  if (!table.rows[0]?.found) return { applied: 0, expected };
  const { rows } = await connection.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM herald_migrations',
  );
  return { applied: rows[0]?.version ?? 0, expected };
}

/** Brings the schema up to the last version under an advisory lock, one transaction per version. */
export function migratePostgres(connection: PostgresConnection): Promise<void> {
  const { schema } = connection;
  return connection.withClient(async (client, spoil) => {
    try {
      // Session-level lock: processes starting together migrate one after another, and the lock
      // goes away with the session if this one dies halfway.
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_NAMESPACE, schema]);
      try {
        await applyMigrations(client, schema);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_NAMESPACE, schema]);
      }
    } catch (error) {
      // The session may still hold the lock or an open transaction: never reuse it.
      spoil(error);
      throw error;
    }
  });
}

async function applyMigrations(client: pg.PoolClient, schema: string): Promise<void> {
  // Checked first: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database.
  const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS herald_migrations (
       version integer PRIMARY KEY,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const { rows } = await client.query<{ version: number }>(
    'SELECT coalesce(max(version), 0) AS version FROM herald_migrations',
  );
  const current = rows[0]?.version ?? 0;
  for (const [index, migration] of POSTGRES_MIGRATIONS.slice(current).entries()) {
    const version = current + index + 1;
    await client.query('BEGIN');
    try {
      await client.query(migration);
      const added = eventTypesAddedBy(version);
      await client.query(
        `INSERT INTO event_types (name, description) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (name) DO NOTHING`,
        [added.map((type) => type.name), added.map((type) => type.description)],
      );
      for (const details of eventTypeDetailsSetBy(version)) {
        await client.query(
          'UPDATE event_types SET position = $1, schema = $2, example = $3 WHERE name = $4',
          [details.position, details.schema, details.example, details.name],
        );
      }
      await client.query('INSERT INTO herald_migrations (version) VALUES ($1)', [version]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
