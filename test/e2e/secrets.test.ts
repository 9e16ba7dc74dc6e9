import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_BACKENDS } from '../support/backends.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

for (const backend of TEST_BACKENDS) {
  describe(`webhook secrets (${backend})`, () => {
    let herald: TestHerald;
    let receiver: Receiver;
    const t = '/v1/tenants/tenant_secrets';

    async function register(path: string, secret: string | undefined): Promise<{ id: string }> {
      const created = await herald.call('POST', `${t}/webhooks`, {
        body: { url: receiver.url(path), ...(secret === undefined ? {} : { secret }) },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body;
    }

    before(async () => {
      receiver = await new Receiver().start();
      herald = await startTestHerald(backend);
      assert.equal(
        (await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_secrets' } })).status,
        201,
      );
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    describe('whsec_ secrets must decode', () => {
      const undecodable: [string, RegExp][] = [
        ['whsec_!!!notbase64!!!', /base64/],
        ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwA', /base64/],
        ['whsec_c2hvcnQta2V5', /at least 24 bytes; this one has 9/],
      ];

      it('refuses them at creation with 422 VALIDATION_FAILED naming the problem', async () => {
        for (const [secret, problem] of undecodable) {
          const answer = await herald.call('POST', `${t}/webhooks`, {
            body: { url: receiver.url('/refused'), secret },
          });
          assert.equal(answer.status, 422, secret);
          assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
          assert.match(answer.body.error.message, /^body\.secret: /);
          assert.match(answer.body.error.message, problem);
        }
      });

      it('refuses them in a change, leaving the secret as it was', async () => {
        const hook = await register('/patched', SECRET);
        for (const [secret, problem] of undecodable) {
          const answer = await herald.call('PATCH', `${t}/webhooks/${hook.id}`, { body: { secret } });
          assert.equal(answer.status, 422, secret);
          assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
          assert.match(answer.body.error.message, problem);
        }
        const fine = await herald.call('PATCH', `${t}/webhooks/${hook.id}`, {
          body: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        });
        assert.equal(fine.status, 200);
      });

      it('accepts whsec_ keys with or without padding, and secrets without the prefix', async () => {
        for (const secret of [
          SECRET,
          'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAQ==',
          'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAQ',
          'a plain shared secret, not base64!',
        ]) {
          await register('/accepted', secret);
        }
      });
    });
  });
}
