import assert from 'node:assert/strict';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { parseAllowList } from '../../src/core/cidr.js';
import { NetworkPolicy, type Resolver, SSRF_ERROR_CODE } from '../../src/delivery/ssrf.js';

const closed = new NetworkPolicy([]);

/** A resolver answering from a table, so no test asks a real DNS server. */
function fakeResolver(table: Record<string, string[]>, seen: [string, LookupOptions][] = []): Resolver {
  return async (hostname, options) => {
    seen.push([hostname, options]);
    const addresses = table[hostname];
    if (addresses === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

interface LookupResult {
  error: NodeJS.ErrnoException | null;
  address: string | LookupAddress[];
  family: number | undefined;
}

function callLookup(policy: NetworkPolicy, hostname: string, options: LookupOptions): Promise<LookupResult> {
  return new Promise((resolve) => {
    policy.lookup(hostname, options, (error, address, family) => resolve({ error, address, family }));
  });
}

/** The codes along an error's cause chain: undici may wrap the socket error it got from `lookup`. */
function codesInChain(error: unknown): unknown[] {
  const codes: unknown[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    codes.push((current as NodeJS.ErrnoException).code);
    if (current instanceof AggregateError) codes.push(...current.errors.flatMap(codesInChain));
  }
  return codes;
}

describe('refusalReason: blocked IPv4 ranges', () => {
  const cases: [address: string, reason: RegExp][] = [
    ['0.0.0.0', /this network/],
    ['0.255.255.255', /this network/],
    ['10.0.0.0', /private/],
    ['10.20.30.40', /private/],
    ['10.255.255.255', /private/],
    ['100.64.0.0', /carrier-grade NAT/],
    ['100.100.100.100', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['127.0.0.0', /loopback/],
    ['127.0.0.1', /loopback/],
    ['127.255.255.255', /loopback/],
    ['169.254.0.0', /^a link-local address$/],
    ['169.254.255.255', /^a link-local address$/],
    ['169.254.169.254', /^a link-local address \(cloud metadata\)$/],
    ['172.16.0.0', /private/],
    ['172.20.1.1', /private/],
    ['172.31.255.255', /private/],
    ['192.0.0.0', /IETF protocol assignments/],
    ['192.0.0.255', /IETF protocol assignments/],
    ['192.0.2.0', /documentation/],
    ['192.0.2.255', /documentation/],
    ['192.88.99.0', /6to4 relay/],
    ['192.88.99.255', /6to4 relay/],
    ['192.168.0.0', /private/],
    ['192.168.1.1', /private/],
    ['192.168.255.255', /private/],
    ['198.18.0.0', /benchmarking/],
    ['198.19.255.255', /benchmarking/],
    ['198.51.100.0', /documentation/],
    ['198.51.100.255', /documentation/],
    ['203.0.113.0', /documentation/],
    ['203.0.113.255', /documentation/],
    ['224.0.0.0', /multicast/],
    ['230.1.2.3', /multicast/],
    ['239.255.255.255', /multicast/],
    ['240.0.0.0', /reserved/],
    ['250.1.2.3', /reserved/],
    ['255.255.255.254', /reserved/],
    ['255.255.255.255', /broadcast/],
  ];
  for (const [address, reason] of cases) {
    it(`refuses ${address}`, () => {
      assert.match(closed.refusalReason(address) ?? 'allowed', reason);
    });
  }
});

describe('refusalReason: public IPv4, including the neighbours of blocked ranges', () => {
  const addresses = [
    '8.8.8.8',
    '1.1.1.1',
    '1.0.0.0',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.0',
    '192.0.3.0',
    '192.88.98.255',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '203.0.112.255',
    '223.255.255.255',
  ];
  for (const address of addresses) {
    it(`allows ${address}`, () => {
      assert.equal(closed.refusalReason(address), null);
    });
  }
});

describe('refusalReason: blocked IPv6 ranges', () => {
  const cases: [address: string, reason: RegExp][] = [
    ['::', /unspecified/],
    ['::1', /^the loopback address$/],
    ['0:0:0:0:0:0:0:1', /^the loopback address$/],
    ['::2', /IPv4-compatible/],
    ['::808:808', /IPv4-compatible/],
    ['::8.8.8.8', /IPv4-compatible/],
    ['::ffff', /IPv4-compatible/],
    ['100::', /discard/],
    ['100::ffff:ffff:ffff:ffff', /discard/],
    ['2001::', /Teredo/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', /Teredo/],
    ['2001:db8::', /documentation/],
    ['2001:db8::1', /documentation/],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', /documentation/],
    ['fc00::', /unique local/],
    ['fd12:3456:789a::1', /unique local/],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', /unique local/],
    ['fd00:ec2::254', /cloud metadata/],
    ['fe80::', /link-local/],
    ['fe80::1', /link-local/],
    ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', /link-local/],
    ['fec0::', /site-local/],
    ['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', /site-local/],
    ['ff00::', /multicast/],
    ['ff02::1', /multicast/],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', /multicast/],
    // Outside global unicast 2000::/3 everything is unassigned or special-purpose.
    ['4000::1', /reserved/],
    ['1::1', /reserved/],
  ];
  for (const [address, reason] of cases) {
    it(`refuses ${address}`, () => {
      assert.match(closed.refusalReason(address) ?? 'allowed', reason);
    });
  }

  it('refuses an address with a zone id as link-local', () => {
    assert.match(closed.refusalReason('fe80::1%eth0') ?? 'allowed', /link-local/);
    assert.match(closed.refusalReason('2606:4700:4700::1111%eth0') ?? 'allowed', /link-local/);
  });

  it('accepts brackets around an IPv6 address', () => {
    assert.match(closed.refusalReason('[::1]') ?? 'allowed', /loopback/);
  });
});

describe('refusalReason: public IPv6', () => {
  for (const address of [
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '2a00:1450:4001:80b::200e',
    '2000::',
  ]) {
    it(`allows ${address}`, () => {
      assert.equal(closed.refusalReason(address), null);
    });
  }
});

describe('refusalReason: IPv6 forms that embed an IPv4 address are judged by it', () => {
  const refused: [address: string, reason: RegExp][] = [
    ['::ffff:127.0.0.1', /loopback.*IPv4-mapped 127\.0\.0\.1/],
    ['::ffff:7f00:1', /loopback.*IPv4-mapped 127\.0\.0\.1/],
    ['0:0:0:0:0:ffff:7f00:0001', /loopback/],
    ['::ffff:10.0.0.1', /private/],
    ['::ffff:a9fe:a9fe', /cloud metadata/],
    ['::ffff:0.0.0.0', /this network/],
    ['::ffff:0:127.0.0.1', /loopback.*IPv4-translated/],
    ['64:ff9b::127.0.0.1', /loopback.*NAT64 127\.0\.0\.1/],
    ['64:ff9b::a00:1', /private.*NAT64 10\.0\.0\.1/],
    ['64:ff9b:1::c0a8:101', /private.*NAT64 192\.168\.1\.1/],
    ['2002:7f00:1::', /loopback.*6to4 127\.0\.0\.1/],
    ['2002:a9fe:a9fe:1234::1', /cloud metadata.*6to4 169\.254\.169\.254/],
    ['2002:c0a8:0101::1', /private.*6to4 192\.168\.1\.1/],
  ];
  for (const [address, reason] of refused) {
    it(`refuses ${address}`, () => {
      assert.match(closed.refusalReason(address) ?? 'allowed', reason);
    });
  }

  for (const address of [
    '::ffff:8.8.8.8',
    '::ffff:101:101',
    '64:ff9b::808:808',
    '64:ff9b:1::101:101',
    '2002:808:808::1',
  ]) {
    it(`allows ${address}, which embeds a public address`, () => {
      assert.equal(closed.refusalReason(address), null);
    });
  }
});

describe('refusalReason: what is not an IP address', () => {
  it('refuses names and odd IPv4 forms rather than guessing', () => {
    assert.equal(closed.refusalReason('example.com'), 'not an IP address');
    assert.equal(closed.refusalReason('2130706433'), 'not an IP address');
    assert.equal(closed.refusalReason(''), 'not an IP address');
  });
});

describe('the allow list', () => {
  it('opens 127.0.0.0/8 and ::1/128, including IPv4-mapped and NAT64 loopback', () => {
    const policy = new NetworkPolicy(['127.0.0.0/8', '::1/128']);
    for (const address of ['127.0.0.1', '127.255.255.255', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      assert.equal(policy.refusalReason(address), null, address);
    }
    assert.equal(policy.refusalReason('64:ff9b::7f00:1'), null);
    assert.match(policy.refusalReason('10.0.0.1') ?? 'allowed', /private/);
    assert.match(policy.refusalReason('::2') ?? 'allowed', /IPv4-compatible/);
    assert.match(policy.refusalReason('::ffff:10.0.0.1') ?? 'allowed', /private/);
  });

  it('opens exactly the range it names', () => {
    const policy = new NetworkPolicy(['10.1.0.0/16', 'fd00:1234::/32']);
    assert.equal(policy.refusalReason('10.1.0.0'), null);
    assert.equal(policy.refusalReason('10.1.255.255'), null);
    assert.match(policy.refusalReason('10.0.255.255') ?? 'allowed', /private/);
    assert.match(policy.refusalReason('10.2.0.0') ?? 'allowed', /private/);
    assert.equal(policy.refusalReason('fd00:1234:5678::1'), null);
    assert.match(policy.refusalReason('fd00:1235::1') ?? 'allowed', /unique local/);
  });

  it('takes a bare address as a single host', () => {
    const policy = new NetworkPolicy(['169.254.169.254', 'fe80::1']);
    assert.equal(policy.refusalReason('169.254.169.254'), null);
    assert.match(policy.refusalReason('169.254.169.253') ?? 'allowed', /link-local/);
    assert.equal(policy.refusalReason('fe80::1'), null);
    assert.equal(policy.refusalReason('fe80::1%eth0'), null);
    assert.match(policy.refusalReason('fe80::2') ?? 'allowed', /link-local/);
  });

  it('keeps the families apart: ::/0 does not open IPv4, 0.0.0.0/0 does not open IPv6', () => {
    const allIpv6 = new NetworkPolicy(['::/0']);
    assert.equal(allIpv6.refusalReason('fd00::1'), null);
    assert.match(allIpv6.refusalReason('10.0.0.1') ?? 'allowed', /private/);
    const allIpv4 = new NetworkPolicy(['0.0.0.0/0']);
    assert.equal(allIpv4.refusalReason('10.0.0.1'), null);
    assert.equal(allIpv4.refusalReason('::ffff:10.0.0.1'), null);
    assert.match(allIpv4.refusalReason('::1') ?? 'allowed', /loopback/);
  });

  it('rejects a malformed CIDR in the constructor with a sentence naming it', () => {
    assert.throws(() => new NetworkPolicy(['10.0.0.0/33']), /"10\.0\.0\.0\/33" is not a CIDR.*0 to 32/);
    assert.throws(() => new NetworkPolicy(['not-a-network']), /"not-a-network" is not a CIDR/);
  });
});

describe('parseAllowList', () => {
  it('parses the HERALD_ALLOW_NETWORKS value', () => {
    assert.deepEqual(parseAllowList(''), []);
    assert.deepEqual(parseAllowList('  '), []);
    assert.deepEqual(parseAllowList('10.0.0.0/8, ::1/128'), ['10.0.0.0/8', '::1/128']);
    assert.deepEqual(parseAllowList('10.0.0.0/8,fd00::/8,'), ['10.0.0.0/8', 'fd00::/8']);
    assert.deepEqual(parseAllowList('127.0.0.0/8 ::1/128'), ['127.0.0.0/8', '::1/128']);
    assert.deepEqual(parseAllowList('0.0.0.0/0'), ['0.0.0.0/0']);
  });

  it('accepts a bare address as /32 or /128', () => {
    assert.deepEqual(parseAllowList('127.0.0.1, ::1'), ['127.0.0.1/32', '::1/128']);
  });

  const malformed = [
    'foo',
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/abc',
    '10.0.0.0/-1',
    '10.0.0.0/8.5',
    '10.0.0.0/',
    '10.0.0.0/8/9',
    '10.0.0/8',
    '010.0.0.0/8',
    '/8',
    '256.0.0.0/8',
    'fe80::1%eth0/64',
    '2130706433/32',
  ];
  for (const entry of malformed) {
    it(`rejects ${JSON.stringify(entry)} with a message`, () => {
      assert.throws(
        () => parseAllowList(`10.0.0.0/8, ${entry}`),
        (error: Error) => error.message.startsWith(`"${entry}" is not a CIDR`),
      );
    });
  }
});

describe('checkUrl', () => {
  // Any name other than localhost goes to this table, never to a real DNS server.
  const table = {
    'internal.test': ['10.0.0.5'],
    'both-refused.test': ['10.0.0.5', 'fd00::5'],
    'mixed.test': ['10.0.0.5', '8.8.8.8'],
    'public.test': ['2606:4700:4700::1111'],
  };
  const seen: [string, LookupOptions][] = [];
  const policy = new NetworkPolicy([], { resolve: fakeResolver(table, seen) });

  const refused: [url: string, message: RegExp][] = [
    ['ftp://example.com/hook', /^ftp: URLs are not supported; Herald delivers only over http and https\.$/],
    ['file:///etc/passwd', /file: URLs are not supported/],
    ['javascript:alert(1)', /javascript: URLs are not supported/],
    ['http://user:pw@example.com/hook', /must not contain credentials/],
    ['https://token@example.com/hook', /must not contain credentials/],
    [
      'http://127.0.0.1:8080/x',
      /^http:\/\/127\.0\.0\.1:8080\/x points to 127\.0\.0\.1, a loopback address; .*/,
    ],
    ['http://[::1]/', /points to ::1, the loopback address/],
    [
      'http://[::ffff:127.0.0.1]/',
      /points to ::ffff:7f00:1, a loopback address \(IPv4-mapped 127\.0\.0\.1\)/,
    ],
    ['http://2130706433/', /points to 127\.0\.0\.1, a loopback address/],
    ['http://0x7f.0.0.1/', /points to 127\.0\.0\.1, a loopback address/],
    ['http://0x7f.1/', /points to 127\.0\.0\.1/],
    ['http://0177.0.0.1/', /points to 127\.0\.0\.1/],
    ['http://127.1/', /points to 127\.0\.0\.1/],
    ['http://127.0.0.1./', /points to 127\.0\.0\.1/],
    ['http://localhost:3000/', /^http:\/\/localhost:3000\/ points to localhost, a loopback address/],
    ['http://LOCALHOST./', /points to localhost\., a loopback address/],
    ['http://api.localhost/', /points to api\.localhost, a loopback address/],
    [
      'http://169.254.169.254/latest/meta-data',
      /169\.254\.169\.254, a link-local address \(cloud metadata\)/,
    ],
    ['http://[fe80::1]/', /link-local/],
    ['http://0.0.0.0/', /this network/],
  ];
  for (const [url, message] of refused) {
    it(`refuses ${url}`, async () => {
      assert.match((await policy.checkUrl(url)) ?? 'accepted', message);
    });
  }

  it('names the allow list in the refusal sentence', async () => {
    assert.equal(
      await policy.checkUrl('http://10.0.0.5/hook'),
      'http://10.0.0.5/hook points to 10.0.0.5, a private address; Herald does not deliver to non-public ' +
        'networks unless HERALD_ALLOW_NETWORKS includes it.',
    );
  });

  it('does not repeat a password back', async () => {
    const message = (await policy.checkUrl('http://user:s3cret@example.com/')) ?? '';
    assert.doesNotMatch(message, /s3cret/);
  });

  it('refuses what is not a URL', async () => {
    assert.match((await policy.checkUrl('not a url')) ?? 'accepted', /is not a valid URL/);
  });

  for (const url of ['http://8.8.8.8/hook', 'https://1.1.1.1:8443/x?y=1', 'http://[2606:4700:4700::1111]/']) {
    it(`accepts the public literal ${url}`, async () => {
      assert.equal(await policy.checkUrl(url), null);
    });
  }

  it('resolves names and refuses when every address is refused', async () => {
    assert.equal(
      await policy.checkUrl('https://internal.test/hook'),
      'https://internal.test/hook resolves to 10.0.0.5, a private address; Herald does not deliver to ' +
        'non-public networks unless HERALD_ALLOW_NETWORKS includes it.',
    );
    assert.match(
      (await policy.checkUrl('https://both-refused.test/')) ?? 'accepted',
      /resolves to 10\.0\.0\.5 \(a private address\) and fd00::5 \(a unique local \(private\) address\)/,
    );
    assert.ok(seen.some(([hostname]) => hostname === 'internal.test'));
  });

  it('accepts a name when some address is allowed (delivery drops the others)', async () => {
    assert.equal(await policy.checkUrl('https://mixed.test/'), null);
    assert.equal(await policy.checkUrl('https://public.test/'), null);
  });

  it('accepts a name that does not resolve: it may later, and delivery checks again', async () => {
    assert.equal(await policy.checkUrl('https://nowhere.test/'), null);
  });

  it('gives up on slow DNS after the timeout and accepts', async () => {
    const hanging = new NetworkPolicy([], { resolve: () => new Promise(() => {}), dnsTimeoutMs: 20 });
    assert.equal(await hanging.checkUrl('https://slow.test/'), null);
  });

  it('does not ask DNS about localhost', async () => {
    const asked: [string, LookupOptions][] = [];
    const policy = new NetworkPolicy([], { resolve: fakeResolver({}, asked) });
    await policy.checkUrl('http://localhost/');
    await policy.checkUrl('http://foo.localhost/');
    assert.deepEqual(asked, []);
  });

  it('accepts loopback targets the allow list opens', async () => {
    const open = new NetworkPolicy(['127.0.0.0/8'], { resolve: fakeResolver(table) });
    assert.equal(await open.checkUrl('http://127.0.0.1:8080/x'), null);
    assert.equal(await open.checkUrl('http://2130706433/'), null);
    assert.equal(await open.checkUrl('http://[::ffff:127.0.0.1]/'), null);
    assert.equal(await open.checkUrl('http://localhost:3000/'), null);
    assert.match((await open.checkUrl('http://[::1]/')) ?? 'accepted', /loopback/);
    const ipv6Only = new NetworkPolicy(['::1/128'], { resolve: fakeResolver(table) });
    assert.equal(await ipv6Only.checkUrl('http://localhost:3000/'), null);
  });
});

describe('checkLiteralHost', () => {
  it('judges IP literals with a sentence and leaves names to lookup', () => {
    assert.equal(
      closed.checkLiteralHost('10.0.0.5'),
      '10.0.0.5 is a private address (refused; HERALD_ALLOW_NETWORKS can allow it)',
    );
    assert.match(closed.checkLiteralHost('[::1]') ?? 'allowed', /^::1 is the loopback address/);
    assert.match(closed.checkLiteralHost('::ffff:7f00:1') ?? 'allowed', /loopback/);
    assert.match(closed.checkLiteralHost('0x7f.1') ?? 'allowed', /^127\.0\.0\.1 is a loopback address/);
    assert.match(closed.checkLiteralHost('fe80::1%eth0') ?? 'allowed', /link-local/);
    assert.equal(closed.checkLiteralHost('8.8.8.8'), null);
    assert.equal(closed.checkLiteralHost('[2606:4700:4700::1111]'), null);
    assert.equal(closed.checkLiteralHost('example.com'), null);
    assert.equal(new NetworkPolicy(['10.0.0.0/8']).checkLiteralHost('10.0.0.5'), null);
  });
});

describe('lookup, called directly', () => {
  const table = {
    localhost: ['127.0.0.1', '::1'],
    'v6-first.test': ['::1', '127.0.0.1'],
    'example.test': ['10.0.0.5'],
    'two.test': ['10.0.0.5', '169.254.169.254'],
  };

  it('keeps allowed addresses and drops refused ones with all: true', async () => {
    const policy = new NetworkPolicy(['127.0.0.0/8'], { resolve: fakeResolver(table) });
    const result = await callLookup(policy, 'localhost', { all: true });
    assert.equal(result.error, null);
    assert.deepEqual(result.address, [{ address: '127.0.0.1', family: 4 }]);
  });

  it('answers the single-address form with the first allowed address and its family', async () => {
    const ipv4 = new NetworkPolicy(['127.0.0.0/8'], { resolve: fakeResolver(table) });
    assert.deepEqual(await callLookup(ipv4, 'localhost', {}), {
      error: null,
      address: '127.0.0.1',
      family: 4,
    });
    assert.deepEqual(await callLookup(ipv4, 'v6-first.test', { all: false }), {
      error: null,
      address: '127.0.0.1',
      family: 4,
    });
    const ipv6 = new NetworkPolicy(['::1/128'], { resolve: fakeResolver(table) });
    assert.deepEqual(await callLookup(ipv6, 'localhost', {}), { error: null, address: '::1', family: 6 });
  });

  it('fails with ERR_HERALD_SSRF naming the host, the address and the reason', async () => {
    const policy = new NetworkPolicy([], { resolve: fakeResolver(table) });
    for (const options of [{ all: true }, {}]) {
      const { error } = await callLookup(policy, 'example.test', options);
      assert.equal(error?.code, SSRF_ERROR_CODE);
      assert.equal(
        error?.message,
        'example.test resolves to 10.0.0.5, a private address (refused; HERALD_ALLOW_NETWORKS can allow it)',
      );
    }
    const { error } = await callLookup(policy, 'two.test', { all: true });
    assert.equal(error?.code, SSRF_ERROR_CODE);
    assert.match(
      error?.message ?? '',
      /10\.0\.0\.5 \(a private address\) and 169\.254\.169\.254 \(.*metadata/,
    );
  });

  it('passes DNS failures through unchanged, and the options to the resolver', async () => {
    const seen: [string, LookupOptions][] = [];
    const policy = new NetworkPolicy([], { resolve: fakeResolver(table, seen) });
    const { error } = await callLookup(policy, 'nowhere.test', { family: 4, all: true });
    assert.equal(error?.code, 'ENOTFOUND');
    assert.deepEqual(seen, [['nowhere.test', { family: 4, all: true }]]);
  });

  it('resolves localhost with the system resolver (from the hosts file, no network)', async () => {
    const policy = new NetworkPolicy(['127.0.0.0/8']);
    const all = await callLookup(policy, 'localhost', { all: true });
    assert.equal(all.error, null);
    assert.ok(Array.isArray(all.address) && all.address.every((entry) => entry.address.startsWith('127.')));
    const refused = await callLookup(new NetworkPolicy([]), 'localhost', {});
    assert.equal(refused.error?.code, SSRF_ERROR_CODE);
  });
});

describe('lookup, used by undici for real', () => {
  let server: Server;
  let port: number;

  before(async () => {
    server = createServer((_request, response) => response.end('delivered'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function get(allow: string[], host: string): Promise<string> {
    const agent = new Agent({ connect: { lookup: new NetworkPolicy(allow).lookup } });
    try {
      const response = await request(`http://${host}:${port}/`, { dispatcher: agent });
      return `${response.statusCode} ${await response.body.text()}`;
    } finally {
      await agent.close();
    }
  }

  it('refuses http://localhost/ when the allow list is empty', async () => {
    await assert.rejects(get([], 'localhost'), (error: unknown) => {
      assert.ok(codesInChain(error).includes(SSRF_ERROR_CODE), String(error));
      return true;
    });
  });

  it('connects when the allow list opens 127.0.0.0/8', async () => {
    assert.equal(await get(['127.0.0.0/8'], 'localhost'), '200 delivered');
  });

  it('is skipped for IP literals, which is why the sender calls checkLiteralHost', async () => {
    assert.equal(await get([], '127.0.0.1'), '200 delivered');
    assert.notEqual(closed.checkLiteralHost('127.0.0.1'), null);
  });
});

describe('random spellings of IPv4 addresses (fast-check)', () => {
  // The test's own list of refused IPv4 ranges, as numbers: the oracle the policy is checked against.
  const REFUSED: readonly [base: number, prefix: number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ].map(([dotted, prefix]) => [numberOf(dotted as string), prefix as number]);

  function numberOf(dotted: string): number {
    return dotted.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  }
  const size = (prefix: number) => 2 ** (32 - prefix);
  const isRefused = (n: number) => REFUSED.some(([base, prefix]) => n >= base && n < base + size(prefix));

  const refusedAddress = fc
    .constantFrom(...REFUSED)
    .chain(([base, prefix]) => fc.integer({ min: base, max: base + size(prefix) - 1 }));
  const publicAddress = fc.nat({ max: 2 ** 32 - 1 }).filter((n) => !isRefused(n));

  /** One number in a radix the WHATWG IPv4 parser reads: decimal, octal (0…) or hex (0x…, any case). */
  const inRadix = (n: number) =>
    fc
      .constantFrom(
        () => String(n),
        () => `0${n.toString(8)}`,
        () => `0x${n.toString(16)}`,
        () => `0X${n.toString(16).toUpperCase()}`,
        () => `0x00${n.toString(16)}`,
      )
      .map((spell) => spell());

  /** Every way of writing the address as 1 to 4 parts, each part in any radix, with a trailing dot or not. */
  function ipv4Spellings(n: number): fc.Arbitrary<string> {
    const [a, b, c, d] = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const parts = fc.constantFrom([n], [a, n & 0xffffff], [a, b, n & 0xffff], [a, b, c, d]);
    return fc
      .tuple(
        parts.chain((numbers) => fc.tuple(...numbers.map(inRadix))),
        fc.boolean(),
      )
      .map(([spelled, trailingDot]) => `${spelled.join('.')}${trailingDot ? '.' : ''}`);
  }

  /** The IPv6 forms that carry the IPv4 address: mapped, NAT64 and 6to4, dotted or in hex groups. */
  function ipv6Spellings(n: number): fc.Arbitrary<string> {
    const dotted = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    const groups = `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
    return fc.constantFrom(
      `[::ffff:${dotted}]`,
      `[::FFFF:${groups}]`,
      `[0:0:0:0:0:ffff:${dotted}]`,
      `[64:ff9b::${dotted}]`,
      `[64:ff9b::${groups}]`,
      `[2002:${groups}::1]`,
    );
  }

  const spellings = (n: number) => fc.oneof(ipv4Spellings(n), ipv6Spellings(n));
  // Any name reaching DNS fails to resolve and would be accepted: a literal misread as a name fails the test.
  const policy = new NetworkPolicy([], { resolve: fakeResolver({}) });

  it('refuses every spelling of a refused address, at registration and at delivery', async () => {
    await fc.assert(
      fc.asyncProperty(
        refusedAddress.chain((n) => spellings(n)),
        async (host) => {
          const url = `http://${host}/hook`;
          assert.notEqual(await policy.checkUrl(url), null, `${url} was accepted`);
          assert.notEqual(policy.checkLiteralHost(new URL(url).hostname), null, `${host} passes delivery`);
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('accepts every spelling of a public address', async () => {
    await fc.assert(
      fc.asyncProperty(
        publicAddress.chain((n) => spellings(n)),
        async (host) => {
          const url = `http://${host}/hook`;
          assert.equal(await policy.checkUrl(url), null);
          assert.equal(policy.checkLiteralHost(new URL(url).hostname), null);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
