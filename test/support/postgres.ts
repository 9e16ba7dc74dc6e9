import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { SecretBox } from '../../src/core/secret-box.js';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import type { StoreFixture } from '../store/store-contract.js';
import { TEST_BACKENDS } from './backends.js';
import { eventually } from './eventually.js';
import { testSecretBox } from './secrets.js';

/** The machine's PostgreSQL (README: 127.0.0.1:5432, user postgres, trust auth, database test). */
export const POSTGRES_TEST_URL =
  process.env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why the PostgreSQL suites should not run (HERALD_TEST_BACKENDS leaves postgres out), or null. */
export function postgresSkipReason(): string | null {
  if (TEST_BACKENDS.includes('postgres')) return null;
  return `HERALD_TEST_BACKENDS=${process.env.HERALD_TEST_BACKENDS} does not include postgres`;
}

/** A schema name no other test file, process or run is using. */
export function uniqueSchemaName(): string {
  return `herald_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A connection outside any store, for setup, teardown and sabotage. The caller ends it. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: POSTGRES_TEST_URL,
    application_name: 'herald_test_admin',
  });
  await client.connect();
  return client;
}

/** One statement on a short-lived admin connection. */
export async function adminQuery<R extends pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const client = await adminClient();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}

/**
 * Waits until no delivery of `schema` is pending. An outcome is written after the receiver's answer,
 * so from then on every request has been seen, including those sent again after a lease expired.
 */
export async function waitNothingPending(schema: string, what: string, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await adminQuery<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.deliveries WHERE status = 'pending'`,
      );
      return rows[0]?.n === 0 || undefined;
    },
    what,
    timeoutMs,
  );
}

export async function dropSchemas(names: Iterable<string>): Promise<void> {
  for (const name of names) await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
}

type StoreOptions = Omit<PostgresStoreOptions, 'schema'> & { secrets?: SecretBox };

/**
 * Creates stores on schemas of their own and drops every schema it handed out in `cleanup()`.
 * Stores opened with `open()` are migrated; `store()` leaves that to the caller.
 */
export class PostgresTestDatabase {
  private readonly schemas = new Set<string>();

  newSchema(): string {
    const name = uniqueSchemaName();
    this.schemas.add(name);
    return name;
  }

  /** `secrets` defaults to testSecretBox(). */
  store(schema: string, options: StoreOptions = {}): Store {
    this.schemas.add(schema);
    return openPostgresStore(POSTGRES_TEST_URL, {
      poolSize: 4,
      secrets: testSecretBox(),
      ...options,
      schema,
    });
  }

  async open(schema = this.newSchema(), options: StoreOptions = {}): Promise<Store> {
    const store = this.store(schema, options);
    await store.migrate();
    return store;
  }

  async cleanup(): Promise<void> {
    await dropSchemas(this.schemas);
    this.schemas.clear();
  }
}

/** For the Store conformance suite: every open() is an empty, migrated store in a fresh schema. */
export function postgresFixture(): StoreFixture {
  const database = new PostgresTestDatabase();
  return {
    open: () => database.open(),
    cleanup: () => database.cleanup(),
  };
}
