import { isIP } from 'node:net';

/*
 * Network ranges as people write them (HERALD_ALLOW_NETWORKS): parsed here, where the settings can
 * use them without the delivery side; judging addresses against them is delivery/ssrf.ts's job.
 */

export type IpFamily = 'ipv4' | 'ipv6';

export interface Cidr {
  address: string;
  prefix: number;
  family: IpFamily;
  text: string;
}

/** `10.1.0.0/16`, `fd00::/8`; a bare address is a /32 or /128. Throws a sentence naming the entry. */
export function parseCidr(entry: string): Cidr {
  const fail = (why: string): never => {
    throw new Error(`"${entry}" is not a CIDR network such as 10.1.0.0/16 or fd00::/8: ${why}.`);
  };
  const [address = '', prefixText, ...rest] = entry.trim().split('/');
  if (rest.length > 0) fail('it has more than one "/"');
  const version = address.includes('%') ? 0 : isIP(address);
  if (version === 0) fail(`${JSON.stringify(address)} is not an IPv4 or IPv6 address`);
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)) {
    fail(`the prefix length must be a whole number from 0 to ${max}`);
  }
  const prefix = prefixText === undefined ? max : Number(prefixText);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6', text: `${address}/${prefix}` };
}

/** Parses the HERALD_ALLOW_NETWORKS value, `10.1.0.0/16, ::1/128` (commas or spaces); empty gives []. */
export function parseAllowList(text: string): string[] {
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== '');
  return entries.map((entry) => parseCidr(entry).text);
}
