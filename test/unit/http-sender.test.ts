import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpSender, RESPONSE_EXCERPT_BYTES } from '../../src/delivery/http-sender.js';
import { NetworkPolicy } from '../../src/delivery/ssrf.js';
import { claimedDelivery } from '../support/claimed-delivery.js';

describe('HttpSender', () => {
  let server: Server;
  let base: string;
  const received: Record<string, string | string[] | undefined>[] = [];
  const sender = new HttpSender({
    timeoutMs: 2_000,
    policy: new NetworkPolicy(['127.0.0.0/8']),
    userAgent: 'Herald-test',
    now: Date.now,
  });

  before(async () => {
    server = createServer((request, response) => {
      received.push(request.headers);
      request.resume();
      request.on('end', () => {
        if (request.url === '/huge') {
          // Far past what is kept or drained: the sender keeps the status and an excerpt, then hangs up.
          response.writeHead(200, { 'content-type': 'text/plain' });
          const chunk = 'x'.repeat(64 * 1024);
          for (let index = 0; index < 32; index += 1) response.write(chunk);
          response.end();
          return;
        }
        response.writeHead(302, { location: 'https://elsewhere.example.com/hook' });
        response.end('moved');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await sender.close();
    server.closeAllConnections();
    server.close();
  });

  function delivery(path: string) {
    return claimedDelivery(`${base}${path}`);
  }

  it('keeps the status and the first bytes of a body too large to read, and drops the rest', async () => {
    const result = await sender.send(delivery('/huge'));
    assert.equal(result.statusCode, 200);
    assert.equal(result.error, null);
    assert.equal(result.responseBody, 'x'.repeat(RESPONSE_EXCERPT_BYTES));
  });

  it('does not follow a redirect and names where it pointed', async () => {
    const result = await sender.send(delivery('/moved'));
    assert.equal(result.statusCode, 302);
    assert.equal(
      result.error,
      'HTTP 302 redirect to https://elsewhere.example.com/hook (redirects are not followed)',
    );
    assert.equal(result.responseBody, 'moved');
  });

  it('reports the headers it sent, signatures of both secrets of a rotation included', async () => {
    const signed = claimedDelivery(`${base}/moved`, {
      secret: 'the new secret',
      previousSecret: 'the old secret',
    });
    const result = await sender.send(signed);
    const sent = received.at(-1) ?? {};
    assert.ok(result.requestHeaders);
    assert.equal(String(result.requestHeaders['webhook-signature']).split(' ').length, 2);
    for (const [name, value] of Object.entries(result.requestHeaders)) assert.equal(sent[name], value, name);
  });

  it('reports no headers for a request it refused to make', async () => {
    const refused = await sender.send(claimedDelivery('http://10.0.0.1/hook'));
    assert.match(refused.error ?? '', /^refused/);
    assert.equal(refused.requestHeaders, null);
  });
});
