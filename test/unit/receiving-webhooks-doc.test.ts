import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { deliveryHeaders } from '../../src/core/delivery-headers.js';
import { BODY_SIGNATURE_ANSWER, STANDARD_WEBHOOKS_ANSWER } from '../support/known-answers.js';

/**
 * The verification code in docs/receiving-webhooks.md, run as a receiver would copy it, against the
 * known answers in DESIGN.md and against the headers Herald itself sends.
 */
const DOC = readFileSync(new URL('../../docs/receiving-webhooks.md', import.meta.url), 'utf8');

/** The first fenced block of `language` after the first line containing `after`. */
function codeBlock(language: string, after: string): string {
  const from = DOC.indexOf(after);
  assert.ok(from >= 0, `no "${after}" in the doc`);
  const match = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(DOC.slice(from));
  assert.ok(match?.[1], `no ${language} block after "${after}"`);
  return match[1];
}

const KNOWN = STANDARD_WEBHOOKS_ANSWER;
const KNOWN_BODY_ONLY = { ...BODY_SIGNATURE_ANSWER, header: BODY_SIGNATURE_ANSWER.signature };

interface Case {
  name: string;
  scheme: 'body' | 'standard';
  secret: string;
  body: string;
  header?: string;
  headers?: Record<string, string>;
  now?: number;
  expected: boolean;
}

function standardHeaders(signature: string, id = KNOWN.id, timestamp = KNOWN.timestamp) {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

/** What Herald sends during a rotation from `old` to `current`, signed at `at` seconds. */
function heraldHeaders(current: string, old: string | null, body: string, at: number) {
  return deliveryHeaders({
    eventId: 'evt_01doc',
    secret: current,
    previousSecret: old,
    payload: Buffer.from(body),
    attemptedAtSeconds: at,
    userAgent: 'Herald/test',
  });
}

const NEW_SECRET = 'whsec_dGhlIG5ldyBzZWNyZXQsIDMyIGJ5dGVzIGxvbmcgISE=';
const OLD_SECRET = 'a plain secret without the prefix';
const PAYLOAD = '{"event":"kpi.alert","data":{"kpi":"mrr"}}';
const rotated = heraldHeaders(NEW_SECRET, OLD_SECRET, PAYLOAD, KNOWN.timestamp);

const CASES: Case[] = [
  {
    name: 'known answer, webhook-signature',
    scheme: 'standard',
    secret: KNOWN.secret,
    body: KNOWN.body,
    headers: standardHeaders(KNOWN.signature),
    now: KNOWN.timestamp + 10,
    expected: true,
  },
  {
    name: 'tampered body',
    scheme: 'standard',
    secret: KNOWN.secret,
    body: '{"test": 2432232315}',
    headers: standardHeaders(KNOWN.signature),
    now: KNOWN.timestamp,
    expected: false,
  },
  {
    name: 'another message id',
    scheme: 'standard',
    secret: KNOWN.secret,
    body: KNOWN.body,
    headers: standardHeaders(KNOWN.signature, 'msg_other'),
    now: KNOWN.timestamp,
    expected: false,
  },
  {
    name: 'timestamp 301 s old',
    scheme: 'standard',
    secret: KNOWN.secret,
    body: KNOWN.body,
    headers: standardHeaders(KNOWN.signature),
    now: KNOWN.timestamp + 301,
    expected: false,
  },
  {
    name: 'timestamp 301 s ahead',
    scheme: 'standard',
    secret: KNOWN.secret,
    body: KNOWN.body,
    headers: standardHeaders(KNOWN.signature),
    now: KNOWN.timestamp - 301,
    expected: false,
  },
  {
    name: 'several signatures, the good one second',
    scheme: 'standard',
    secret: KNOWN.secret,
    body: KNOWN.body,
    headers: standardHeaders(`v1,AAAAg0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOL= ${KNOWN.signature}`),
    now: KNOWN.timestamp,
    expected: true,
  },
  {
    name: 'no webhook-signature',
    scheme: 'standard',
    secret: KNOWN.secret,
    body: KNOWN.body,
    headers: { 'webhook-id': KNOWN.id, 'webhook-timestamp': String(KNOWN.timestamp) },
    now: KNOWN.timestamp,
    expected: false,
  },
  {
    name: "Herald's rotation headers, receiver on the new whsec_ secret",
    scheme: 'standard',
    secret: NEW_SECRET,
    body: PAYLOAD,
    headers: rotated,
    now: KNOWN.timestamp,
    expected: true,
  },
  {
    name: "Herald's rotation headers, receiver still on the old plain secret",
    scheme: 'standard',
    secret: OLD_SECRET,
    body: PAYLOAD,
    headers: rotated,
    now: KNOWN.timestamp,
    expected: true,
  },
  {
    name: "Herald's rotation headers, receiver with an unrelated secret",
    scheme: 'standard',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    body: PAYLOAD,
    headers: rotated,
    now: KNOWN.timestamp,
    expected: false,
  },
  {
    name: 'known answer, X-Webhook-Signature',
    scheme: 'body',
    secret: KNOWN_BODY_ONLY.secret,
    body: KNOWN_BODY_ONLY.body,
    header: KNOWN_BODY_ONLY.header,
    expected: true,
  },
  {
    name: 'X-Webhook-Signature without its sha256= prefix',
    scheme: 'body',
    secret: KNOWN_BODY_ONLY.secret,
    body: KNOWN_BODY_ONLY.body,
    header: KNOWN_BODY_ONLY.header.slice('sha256='.length),
    expected: false,
  },
  {
    name: 'X-Webhook-Signature cut short',
    scheme: 'body',
    secret: KNOWN_BODY_ONLY.secret,
    body: KNOWN_BODY_ONLY.body,
    header: KNOWN_BODY_ONLY.header.slice(0, -2),
    expected: false,
  },
  {
    name: 'X-Webhook-Signature of another body',
    scheme: 'body',
    secret: KNOWN_BODY_ONLY.secret,
    body: 'Hello, World?',
    header: KNOWN_BODY_ONLY.header,
    expected: false,
  },
  {
    name: "Herald's X-Webhook-Signature during a rotation: the new secret",
    scheme: 'body',
    secret: NEW_SECRET,
    body: PAYLOAD,
    header: rotated['x-webhook-signature'] as string,
    expected: true,
  },
];

let workDir: string;
before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'herald-receiving-doc-'));
});
after(() => rmSync(workDir, { recursive: true, force: true }));

describe('docs/receiving-webhooks.md, the Node.js example', () => {
  for (const c of CASES) {
    it(`${c.expected ? 'accepts' : 'refuses'}: ${c.name}`, async () => {
      const file = join(workDir, 'verify.mjs');
      writeFileSync(file, codeBlock('js', 'runs this block'));
      const verify = await import(pathToFileURL(file).href);
      const body = Buffer.from(c.body);
      const accepted =
        c.scheme === 'body'
          ? verify.verifyBodySignature(c.secret, body, c.header)
          : verify.verifyStandardWebhook(c.secret, body, c.headers, c.now);
      assert.equal(accepted, c.expected);
    });
  }
});

const python = spawnSync('python3', ['--version']);
describe('docs/receiving-webhooks.md, the Python example', {
  skip: python.error && 'python3 is not installed',
}, () => {
  it('gives the expected answer in every case', () => {
    const file = join(workDir, 'verify.py');
    writeFileSync(
      file,
      `${codeBlock('python', '### Python')}
import json, sys
results = []
for c in json.load(sys.stdin):
    body = c["body"].encode()
    if c["scheme"] == "body":
        results.append(verify_body_signature(c["secret"], body, c["header"]))
    else:
        results.append(verify_standard_webhook(c["secret"], body, c["headers"], c["now"]))
print(json.dumps(results))
`,
    );
    const run = spawnSync('python3', [file], { input: JSON.stringify(CASES), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const results: boolean[] = JSON.parse(run.stdout);
    assert.deepEqual(
      CASES.map((c, index) => `${c.name}: ${results[index]}`),
      CASES.map((c) => `${c.name}: ${c.expected}`),
    );
  });
});
