/**
 * The minimal durable relay's tables and statements on PostgreSQL (durable-relay-pg.ts runs them;
 * queue-costs.ts measures what they cost the server): one narrow delivery row an event, a partial
 * index of the unleased ones, prepared statements.
 */
export const SCHEMA = `
  CREATE TABLE events (seq bigserial PRIMARY KEY, payload text NOT NULL);
  CREATE TABLE deliveries (
    id bigserial PRIMARY KEY,
    event_seq bigint NOT NULL,
    leased boolean NOT NULL DEFAULT false,
    status integer
  );
  CREATE INDEX deliveries_queue ON deliveries (id) WHERE NOT leased`;

export const PUBLISH = {
  name: 'relay_publish',
  text: `WITH e AS (INSERT INTO events (payload) SELECT unnest($1::text[]) RETURNING seq),
         d AS (INSERT INTO deliveries (event_seq) SELECT seq FROM e)
         SELECT pg_notify('relay_queued', '')`,
};
export const CLAIM = {
  name: 'relay_claim',
  text: `UPDATE deliveries d SET leased = true FROM events e
         WHERE d.id IN (SELECT id FROM deliveries WHERE NOT leased ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
           AND e.seq = d.event_seq
         RETURNING d.id, e.payload`,
};
export const RECORD = {
  name: 'relay_record',
  text: `UPDATE deliveries d SET status = o.status
         FROM unnest($1::bigint[], $2::integer[]) AS o(id, status) WHERE d.id = o.id`,
};
