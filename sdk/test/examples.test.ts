import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deliveryHeaders } from '../../src/core/delivery-headers.js';
import { eventually } from '../../test/support/eventually.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BODY = Buffer.from(
  '{"event":"kpi.alert","timestamp":"2026-12-01T12:00:00Z","tenantId":"t1","data":{"v":1}}',
);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** What Herald would send now for BODY, signed with SECRET. */
function heraldHeaders(): Record<string, string> {
  return deliveryHeaders({
    eventId: 'evt_example',
    secret: SECRET,
    payload: BODY,
    attemptedAtSeconds: Math.floor(Date.now() / 1000),
    userAgent: 'Herald/test',
  });
}

for (const example of ['express.ts', 'fastify.ts', 'node-http.ts']) {
  describe(`sdk/examples/${example}`, () => {
    let child: ChildProcess | undefined;
    after(() => {
      child?.kill();
    });

    it('answers 204 to a signed delivery and 400, saying why, to a tampered one', async () => {
      const port = await freePort();
      child = spawn(process.execPath, ['--import', 'tsx', `sdk/examples/${example}`], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), HERALD_WEBHOOK_SECRET: SECRET },
        stdio: 'ignore',
      });
      const url = `http://127.0.0.1:${port}/webhooks/herald`;
      const post = (body: Buffer) => fetch(url, { method: 'POST', headers: heraldHeaders(), body });
      const signed = await eventually(
        () => post(BODY).catch(() => undefined),
        `${example} listening`,
        20_000,
      );
      assert.equal(signed.status, 204);
      const tampered = await post(Buffer.from(BODY.toString().replace('"v":1', '"v":2')));
      assert.equal(tampered.status, 400);
      assert.match(await tampered.text(), /No v1 signature in webhook-signature matches/);
    });
  });
}
