import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import {
  adminQuery,
  dropSchemas,
  POSTGRES_TEST_URL,
  postgresSkipReason,
  uniqueSchemaName,
} from '../support/postgres.js';

const skip = postgresSkipReason();

describe('HERALD_DATABASE_POOL_SIZE', { skip: skip ?? false }, () => {
  const schema = uniqueSchemaName();
  const application = `herald_pool_${process.pid}`;
  let herald: TestHerald | undefined;

  after(async () => {
    await herald?.stop();
    await dropSchemas([schema]);
  });

  it('bounds the connections one process opens, however busy it is', async () => {
    herald = await startTestHerald('postgres', {
      database: `${POSTGRES_TEST_URL}?schema=${schema}&application_name=${application}`,
      databasePoolSize: 2,
    });
    const started = herald;
    await started.call('POST', '/v1/tenants', { body: { id: 'tenant_pool' } });
    await started.call('POST', '/v1/tenants/tenant_pool/webhooks', {
      body: { url: 'http://127.0.0.1:9/pool' },
    });

    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await adminQuery<{ count: string }>(
          'SELECT count(*) AS count FROM pg_stat_activity WHERE application_name = $1',
          [application],
        );
        most = Math.max(most, Number(rows[0]?.count));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0
          ? started.call('POST', '/v1/tenants/tenant_pool/events', {
              body: { event: 'kpi.alert', data: { i } },
            })
          : started.call('GET', '/v1/tenants/tenant_pool/webhooks'),
      ),
    );
    sampling = false;
    await sampler;
    assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([200, 202]));
    assert.ok(most >= 2, `the pool was used (${most} connections seen)`);
    assert.ok(most <= 3, `at most 2 pooled connections and 1 LISTEN connection, saw ${most}`);
  });
});
