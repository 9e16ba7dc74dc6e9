import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_BACKENDS } from '../support/backends.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** The `src` and `href` of a page's elements, and the `url(…)`/`@import` of a style sheet. */
function referencesIn(text: string): string[] {
  const attributes = [...text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)];
  const styles = [...text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']/g)];
  return [...attributes, ...styles]
    .map((match) => match[1] ?? match[2] ?? '')
    .filter((reference) => !reference.startsWith('data:') && !reference.startsWith('#'));
}

for (const backend of TEST_BACKENDS) {
  describe(`OpenAPI document and API reference (${backend})`, () => {
    let herald: TestHerald;
    let document: any;

    before(async () => {
      herald = await startTestHerald(backend);
      document = (await herald.call('GET', '/openapi.json', { key: null })).body;
    });
    after(async () => {
      await herald.stop();
    });

    const operations = () =>
      Object.entries<Record<string, any>>(document.paths).flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([method]) => METHODS.has(method))
          .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
      );

    it('gives every operation a unique camelCase operationId', () => {
      const ids = operations().map(({ name, operation }) => {
        assert.match(operation.operationId ?? '', /^[a-z][A-Za-z]+$/, `${name} has no camelCase operationId`);
        return operation.operationId;
      });
      assert.ok(ids.length >= 30, `only ${ids.length} operations`);
      assert.equal(new Set(ids).size, ids.length, 'operationIds repeat');
      assert.ok(ids.includes('replayAllDeadLetters') && ids.includes('createWebhook'));
    });

    it('names its components after the schemas, never def-N', () => {
      const names = Object.keys(document.components.schemas);
      assert.deepEqual(
        names.filter((name) => /^def-\d+$/.test(name)),
        [],
      );
      for (const name of [
        'Webhook',
        'Delivery',
        'DeliveryDetail',
        'DeadLetter',
        'Error',
        'Tenant',
        'ApiKey',
      ]) {
        assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
      }
      const getWebhook = document.paths['/v1/tenants/{tenantId}/webhooks/{id}'].get;
      assert.deepEqual(getWebhook.responses['200'].content['application/json'].schema, {
        $ref: '#/components/schemas/Webhook',
      });
    });

    it('declares the error answers, in the catalogue shape, and the body only where one is needed', () => {
      for (const { name, operation } of operations()) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          if (Number(status) < 400) continue;
          assert.deepEqual(
            response.content['application/json'].schema,
            { $ref: '#/components/schemas/Error' },
            name,
          );
        }
      }
      const publish = document.paths['/v1/tenants/{tenantId}/events'].post;
      for (const status of ['400', '401', '404', '409', '413', '415', '422', '429', '503']) {
        assert.ok(publish.responses[status], `publishEvent does not declare ${status}`);
      }
      assert.equal(document.paths['/v1/tenants/{tenantId}/dlq/replay-all'].post.requestBody.required, false);
      assert.equal(document.paths['/v1/tenants/{tenantId}/webhooks'].post.requestBody.required, true);
      assert.ok(document.info.license.name && document.info.contact);
      assert.equal(document.servers.length, 1);
    });

    it('answers in shapes the serialiser writes without validating (no anyOf or oneOf)', () => {
      // A union makes Fastify's serialiser validate each value to choose a branch, and compile that
      // validator from the route's whole schema on its first answer (~150 ms of the event loop).
      // The batch publish alone keeps one (each result is an event or an error), and answers
      // through JSON.stringify instead.
      const unions = new Set<string>();
      const visit = (schema: unknown, where: string, seen: Set<string>): void => {
        if (Array.isArray(schema)) {
          for (const item of schema) visit(item, where, seen);
          return;
        }
        if (schema === null || typeof schema !== 'object') return;
        const node = schema as Record<string, unknown>;
        if (typeof node.$ref === 'string' && !seen.has(node.$ref)) {
          const name = node.$ref.replace('#/components/schemas/', '');
          visit(document.components.schemas[name], where, new Set([...seen, node.$ref]));
        }
        if ('anyOf' in node || 'oneOf' in node) unions.add(where);
        for (const value of Object.values(node)) visit(value, where, seen);
      };
      for (const { operation } of operations()) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          if (status.startsWith('2'))
            visit(response.content, `${operation.operationId} ${status}`, new Set());
        }
      }
      assert.deepEqual([...unions], ['publishEventBatch 202']);
    });

    it('serves the API reference at /docs from its own files, nothing from another host', async () => {
      const page = await herald.call('GET', '/docs', { key: null });
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /text\/html/);
      const origin = new URL(herald.url);
      const pending = referencesIn(page.body).map((reference) => new URL(reference, `${herald.url}/docs`));
      assert.ok(
        pending.some((url) => url.pathname.endsWith('.js')),
        'the page loads no script',
      );
      const seen = new Set<string>();
      for (let url = pending.pop(); url !== undefined; url = pending.pop()) {
        assert.equal(url.origin, origin.origin, `${url.href} is on another host`);
        if (seen.has(url.href)) continue;
        seen.add(url.href);
        const asset = await herald.call('GET', `${url.pathname}${url.search}`, { key: null });
        assert.equal(asset.status, 200, `${url.href} answered ${asset.status}`);
        if (url.pathname.endsWith('.css')) {
          pending.push(...referencesIn(asset.body).map((reference) => new URL(reference, url)));
        }
      }
      const rendered = await herald.call('GET', '/docs/json', { key: null });
      assert.deepEqual(rendered.body, document);
    });
  });
}
