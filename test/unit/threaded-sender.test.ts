import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bodySignature } from '../../src/core/signing.js';
import { ThreadedSender } from '../../src/delivery/threaded-sender.js';
import { claimedDelivery } from '../support/claimed-delivery.js';

const SECRET = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0';

describe('ThreadedSender', () => {
  let server: Server;
  let base: string;
  const received: { path: string; headers: Record<string, string | string[] | undefined>; body: string }[] =
    [];

  before(async () => {
    // Answers each request with its own path, so every result can be matched to its delivery.
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ path: request.url ?? '', headers: request.headers, body });
        if (request.url?.startsWith('/fail')) response.writeHead(503);
        response.end(`answer for ${request.url}`);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
  });

  function delivery(path: string, secret: unknown = SECRET) {
    const name = path.replace(/\W/g, '');
    return claimedDelivery(`${base}${path}`, {
      id: `dlv_${name}`,
      webhookId: `wh_${path.length % 3}`,
      secret: secret as string,
      eventId: `evt_${name}`,
      payload: Buffer.from(`{"path":"${path}"}`),
    });
  }

  function sender(threads = 2, allowNetworks = ['127.0.0.0/8']): ThreadedSender {
    return new ThreadedSender(
      { timeoutMs: 2_000, allowNetworks, userAgent: 'Herald-test' },
      threads,
      () => {},
    );
  }

  it('sends signed requests from its threads and answers each attempt with its own result', async () => {
    const threads = sender();
    await threads.ready();
    try {
      const paths = Array.from({ length: 200 }, (_, index) =>
        index % 10 === 0 ? `/fail/${index}` : `/ok/${index}`,
      );
      const results = await Promise.all(paths.map((path) => threads.send(delivery(path))));
      results.forEach((result, index) => {
        const path = paths[index] as string;
        assert.equal(result.responseBody, `answer for ${path}`);
        assert.equal(result.statusCode, path.startsWith('/fail') ? 503 : 200);
        assert.equal(result.error, path.startsWith('/fail') ? 'HTTP 503' : null);
      });
      const request = received.find((entry) => entry.path === '/ok/1');
      assert.ok(request);
      assert.equal(request.body, '{"path":"/ok/1"}');
      assert.equal(request.headers['user-agent'], 'Herald-test');
      assert.equal(request.headers['webhook-id'], 'evt_ok1');
      assert.equal(request.headers['x-webhook-signature'], bodySignature(SECRET, Buffer.from(request.body)));
      // Each result carries the headers its request went out with, across the thread boundary.
      const reported = results[1]?.requestHeaders;
      assert.ok(reported);
      for (const [name, value] of Object.entries(reported)) assert.equal(request.headers[name], value, name);
    } finally {
      await threads.close();
    }
  });

  it('fails the attempts of a thread that dies, then starts the thread again', async () => {
    const threads = sender(1);
    await threads.ready();
    try {
      // A secret that is not a string throws inside the thread, which dies with every attempt it holds.
      const [broken, alongside] = await Promise.all([
        threads.send(delivery('/ok/broken', 12345)),
        threads.send(delivery('/ok/alongside')),
      ]);
      for (const result of [broken, alongside]) {
        assert.equal(result.statusCode, null);
        assert.equal(result.error, 'the sender thread stopped before the attempt finished');
      }
      // Attempts made while the thread is down wait for its successor instead of failing.
      const afterRestart = await threads.send(delivery('/ok/after-restart'));
      assert.equal(afterRestart.statusCode, 200);
    } finally {
      await threads.close();
    }
  });

  it('fails what it holds when closed while a dead thread waits to start again', async () => {
    const threads = sender(1);
    await threads.ready();
    await threads.send(delivery('/ok/breaks-the-thread', 12345));
    // The thread is down for its restart delay: this attempt is held for its successor.
    const held = threads.send(delivery('/ok/held'));
    await threads.close();
    const result = await held;
    assert.equal(result.statusCode, null);
    assert.equal(result.error, 'the sender thread stopped before the attempt finished');
  });

  it('reports a thread that cannot start instead of retrying it forever', async () => {
    const threads = sender(1, ['not-a-network']);
    await assert.rejects(threads.ready());
    await threads.close();
  });
});
