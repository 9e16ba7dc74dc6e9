import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { type Cidr, type IpFamily, parseCidr } from '../core/cidr.js';

/** The `code` of the error the `lookup` hook fails with, so the sender can tell a refusal from a DNS failure. */
export const SSRF_ERROR_CODE = 'ERR_HERALD_SSRF';

/** Resolves a host name to all its addresses; injectable so tests never ask a real DNS server. */
export type Resolver = (hostname: string, options: LookupOptions) => Promise<LookupAddress[]>;

export interface NetworkPolicyOptions {
  /** Defaults to the system resolver (`dns.lookup`, which honours /etc/hosts like every other program). */
  resolve?: Resolver;
  /** How long `checkUrl` waits for DNS before giving up and accepting the URL (delivery checks again). */
  dnsTimeoutMs?: number;
}

type Range = readonly [cidr: string, reason: string];

/**
 * Refused unless the allow list opens them. Overlapping rows are listed most specific first: the first
 * match names the reason, so 169.254.169.254 says "cloud metadata" rather than just "link-local".
 */
const REFUSED_IPV4: readonly Range[] = [
  ['169.254.169.254/32', 'a link-local address (cloud metadata)'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['0.0.0.0/8', 'a "this network" address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT (shared) address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'a reserved address (IETF protocol assignments)'],
  ['192.0.2.0/24', 'a documentation address'],
  ['192.88.99.0/24', 'a 6to4 relay anycast address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address'],
];

const REFUSED_IPV6: readonly Range[] = [
  ['::/128', 'the unspecified address'],
  ['::1/128', 'the loopback address'],
  ['::/96', 'an IPv4-compatible address (deprecated)'],
  ['100::/64', 'a discard-only address'],
  ['2001:db8::/32', 'a documentation address'],
  ['2001::/32', 'a Teredo tunnelling address'],
  ['fd00:ec2::254/128', 'a unique local address (cloud metadata)'],
  ['fc00::/7', 'a unique local (private) address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address (deprecated)'],
  ['ff00::/8', 'a multicast address'],
];

/**
 * IPv6 forms that carry an IPv4 address, and the index of the 16-bit group where it starts. Traffic to
 * them ends up at that IPv4 address, so they are judged by it: ::ffff:127.0.0.1 is loopback. Local-use
 * NAT64 (64:ff9b:1::/48) is read with the /96 layout, the one translators use in practice.
 */
const EMBEDS_IPV4: readonly (readonly [cidr: string, form: string, group: number])[] = [
  ['::ffff:0:0/96', 'IPv4-mapped', 6],
  ['::ffff:0:0:0/96', 'IPv4-translated', 6],
  ['64:ff9b::/96', 'NAT64', 6],
  ['64:ff9b:1::/48', 'NAT64', 6],
  ['2002::/16', '6to4', 1],
];

/** Everything outside global unicast is unassigned or special-purpose, so refusing it closes the gaps. */
const GLOBAL_UNICAST_IPV6 = blockListOf(['2000::/3']);
const OUTSIDE_GLOBAL_UNICAST = 'a reserved address (outside global unicast 2000::/3)';

const REFUSED_IPV4_LISTS = REFUSED_IPV4.map(([cidr, reason]) => [blockListOf([cidr]), reason] as const);
const REFUSED_IPV6_LISTS = REFUSED_IPV6.map(([cidr, reason]) => [blockListOf([cidr]), reason] as const);
const EMBEDS_IPV4_LISTS = EMBEDS_IPV4.map(
  ([cidr, form, group]) => [blockListOf([cidr]), form, group] as const,
);

const NOT_PUBLIC_HINT =
  'Herald does not deliver to non-public networks unless HERALD_ALLOW_NETWORKS includes it.';
const DEFAULT_DNS_TIMEOUT_MS = 2000;

const systemResolver: Resolver = (hostname, options) => dnsLookup(hostname, { ...options, all: true });

export class NetworkPolicy {
  // One list per family: a BlockList holding both matches IPv4 addresses against IPv6 rules (::/0 would
  // open every IPv4 address), which is not what anyone writing an allow list means.
  readonly #allowIpv4: BlockList;
  readonly #allowIpv6: BlockList;
  readonly #resolve: Resolver;
  readonly #dnsTimeoutMs: number;

  /** allowCidrs: e.g. ['127.0.0.0/8', '10.1.0.0/16', '::1/128']; a bare address counts as /32 or /128. */
  constructor(allowCidrs: readonly string[], options: NetworkPolicyOptions = {}) {
    const cidrs = allowCidrs.map(parseCidr);
    this.#allowIpv4 = blockListOf(cidrs.filter((cidr) => cidr.family === 'ipv4'));
    this.#allowIpv6 = blockListOf(cidrs.filter((cidr) => cidr.family === 'ipv6'));
    this.#resolve = options.resolve ?? systemResolver;
    this.#dnsTimeoutMs = options.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  }

  /** null when the address may be contacted; else a short reason such as "a private address". */
  refusalReason(address: string): string | null {
    const bare = stripBrackets(address);
    const zoneAt = bare.indexOf('%');
    const ip = zoneAt === -1 ? bare : bare.slice(0, zoneAt);
    const family = isIP(ip);
    if (family === 4) return this.#ipv4Reason(ip);
    if (family !== 6) return 'not an IP address';
    if (this.#allowIpv6.check(ip, 'ipv6')) return null;

    const groups = ipv6Groups(ip);
    for (const [list, form, group] of EMBEDS_IPV4_LISTS) {
      if (!list.check(ip, 'ipv6')) continue;
      const ipv4 = ipv4FromGroups(groups, group);
      const reason = this.#ipv4Reason(ipv4);
      return reason === null ? null : `${reason} (${form} ${ipv4})`;
    }
    const reason = firstMatch(REFUSED_IPV6_LISTS, ip, 'ipv6');
    if (reason !== null) return reason;
    // A zone id only means something for link-local (scoped) addresses; refuse whatever it is attached to.
    if (zoneAt !== -1) return 'a link-local address (it has a zone id)';
    return GLOBAL_UNICAST_IPV6.check(ip, 'ipv6') ? null : OUTSIDE_GLOBAL_UNICAST;
  }

  /**
   * Checks a webhook URL when it is registered: null when fine, else a sentence for the user. A host name
   * that does not resolve (or not within the DNS timeout) is accepted: it may resolve later, and every
   * delivery checks the addresses it connects to again.
   */
  async checkUrl(url: string): Promise<string | null> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `${JSON.stringify(url)} is not a valid URL.`;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return `${parsed.protocol.slice(0, -1)}: URLs are not supported; Herald delivers only over http and https.`;
    }
    // The URL itself is not repeated here: it holds a password.
    if (parsed.username !== '' || parsed.password !== '') {
      return 'Webhook URLs must not contain credentials (user:password@host); use a signing secret instead.';
    }

    // WHATWG parsing has already turned odd IPv4 forms (2130706433, 0x7f.1, 0177.0.0.1) into dotted quads.
    const host = stripBrackets(parsed.hostname);
    if (isIP(host) !== 0) {
      const reason = this.refusalReason(host);
      return reason === null ? null : `${url} points to ${host}, ${reason}; ${NOT_PUBLIC_HINT}`;
    }

    const name = host.endsWith('.') ? host.slice(0, -1) : host;
    if (name === 'localhost' || name.endsWith('.localhost')) {
      // RFC 6761: these names are loopback whatever DNS says, so judge them as such without asking it.
      const allowed = ['127.0.0.1', '::1'].some((address) => this.refusalReason(address) === null);
      return allowed ? null : `${url} points to ${host}, a loopback address; ${NOT_PUBLIC_HINT}`;
    }

    const addresses = await this.#resolveWithin(host);
    if (addresses.length === 0) return null;
    const refused: Refusal[] = [];
    for (const { address } of addresses) {
      const reason = this.refusalReason(address);
      if (reason !== null) refused.push({ address, reason });
    }
    if (refused.length < addresses.length) return null;
    return `${url} resolves to ${describeRefusals(refused)}; ${NOT_PUBLIC_HINT}`;
  }

  /**
   * A drop-in `lookup` for undici's `connect` options (net/tls connect call it with and without
   * `all: true`). It resolves the name, drops refused addresses and hands the socket only checked ones,
   * so the connection goes where the check looked: there is no second lookup for DNS to answer differently.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const wantsAll = options?.all === true;
    this.#resolve(hostname, options ?? {}).then(
      (addresses) => {
        const allowed: LookupAddress[] = [];
        const refused: Refusal[] = [];
        for (const entry of addresses) {
          const reason = this.refusalReason(entry.address);
          if (reason === null) allowed.push(entry);
          else refused.push({ address: entry.address, reason });
        }
        const first = allowed[0];
        if (first === undefined) {
          callback(lookupError(hostname, refused), wantsAll ? [] : '');
        } else if (wantsAll) {
          callback(null, allowed);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, wantsAll ? [] : ''),
    );
  };

  /**
   * For IP-literal hosts at delivery time: net.connect skips `lookup` for them, so the sender asks here.
   * null when the host may be contacted (or is a name, which `lookup` will judge), else a sentence.
   */
  checkLiteralHost(hostname: string): string | null {
    const host = normaliseLiteral(stripBrackets(hostname));
    if (host === null) return null;
    const reason = this.refusalReason(host);
    return reason === null ? null : `${host} is ${reason} (refused; HERALD_ALLOW_NETWORKS can allow it)`;
  }

  #ipv4Reason(ip: string): string | null {
    if (this.#allowIpv4.check(ip, 'ipv4')) return null;
    return firstMatch(REFUSED_IPV4_LISTS, ip, 'ipv4');
  }

  /** The addresses a name resolves to; [] when it does not resolve, or not within the timeout. */
  async #resolveWithin(hostname: string): Promise<LookupAddress[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<LookupAddress[]>((resolve) => {
      timer = setTimeout(() => resolve([]), this.#dnsTimeoutMs);
    });
    try {
      return await Promise.race([this.#resolve(hostname, {}).catch(() => []), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

interface Refusal {
  address: string;
  reason: string;
}

/** One family per list: the caller checks addresses of that family only. */
function blockListOf(cidrs: readonly (Cidr | string)[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { address, prefix, family } = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
    list.addSubnet(address, prefix, family);
  }
  return list;
}

function firstMatch(
  lists: readonly (readonly [BlockList, string])[],
  ip: string,
  family: IpFamily,
): string | null {
  for (const [list, reason] of lists) {
    if (list.check(ip, family)) return reason;
  }
  return null;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** An IP literal in its canonical text, letting the URL parser read forms like 0x7f.1; null for names. */
function normaliseLiteral(host: string): string | null {
  if (isIP(host) !== 0) return host;
  if (host.includes('%')) return isIP(host.slice(0, host.indexOf('%'))) === 6 ? host : null;
  try {
    const parsed = stripBrackets(new URL(`http://${host}/`).hostname);
    return isIP(parsed) !== 0 ? parsed : null;
  } catch {
    return null;
  }
}

/** The eight 16-bit groups of an IPv6 address already validated by isIP (no zone id). */
function ipv6Groups(ip: string): number[] {
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups, leaving only the :: shorthand to expand.
  const hex = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_match, a, b, c, d) => {
    const high = (Number(a) << 8) | Number(b);
    const low = (Number(c) << 8) | Number(d);
    return `${high.toString(16)}:${low.toString(16)}`;
  });
  const [left = '', right] = hex.split('::');
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const zeros = new Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...zeros, ...tail].map((group) => Number.parseInt(group, 16));
}

function ipv4FromGroups(groups: readonly number[], at: number): string {
  const high = groups[at] ?? 0;
  const low = groups[at + 1] ?? 0;
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

function describeRefusals(refused: readonly Refusal[]): string {
  const [only] = refused;
  if (refused.length === 1 && only) return `${only.address}, ${only.reason}`;
  const parts = refused.map(({ address, reason }) => `${address} (${reason})`);
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function lookupError(hostname: string, refused: readonly Refusal[]): NodeJS.ErrnoException {
  if (refused.length === 0) {
    const error: NodeJS.ErrnoException = new Error(`${hostname} resolves to no address`);
    error.code = 'ENOTFOUND';
    return error;
  }
  const message =
    refused.length === 1
      ? `${hostname} resolves to ${describeRefusals(refused)} (refused; HERALD_ALLOW_NETWORKS can allow it)`
      : `${hostname} resolves only to refused addresses: ${describeRefusals(refused)}; HERALD_ALLOW_NETWORKS can allow them`;
  const error: NodeJS.ErrnoException = new Error(message);
  error.code = SSRF_ERROR_CODE;
  return error;
}
