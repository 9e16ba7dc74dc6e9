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
  `,
];
