// IP addresses and CIDR blocks for the IpAddress / NotIpAddress condition operators (RFC 4632 CIDR notation,
// IPv4 and IPv6). An IPv4-mapped IPv6 address (::ffff:a.b.c.d), which is what a dual-stack Node socket reports for
// IPv4 clients, is treated as the IPv4 address it carries, so "aws:SourceIp" CIDRs written for IPv4 still match.

import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  /** Network address with host bits cleared. */
  network: bigint;
  prefix: number;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an IPv4 or IPv6 address (zone ids dropped); IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): IpAddress | undefined {
  const s = text.trim().replace(/%.*$/, '');
  if (isIPv4(s)) return { family: 4, value: ipv4ToBigInt(s) };
  if (!isIPv6(s)) return undefined;
  const value = ipv6ToBigInt(s);
  if (value >> 32n === 0xffffn) return { family: 4, value: value - MAPPED_PREFIX };
  return { family: 6, value };
}

/** Parses "addr/prefix" or a bare address (a /32 or /128 block); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [addrText = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const s = addrText.replace(/%.*$/, '');
  let family: 4 | 6;
  let value: bigint;
  let max: number;
  if (isIPv4(s)) {
    family = 4;
    value = ipv4ToBigInt(s);
    max = 32;
  } else if (isIPv6(s)) {
    family = 6;
    value = ipv6ToBigInt(s);
    max = 128;
  } else {
    return undefined;
  }
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  // A block inside ::ffff:0:0/96 describes IPv4 addresses; keep it comparable with them.
  if (family === 6 && prefix >= 96 && value >> 32n === 0xffffn) {
    family = 4;
    value -= MAPPED_PREFIX;
    prefix -= 96;
    max = 32;
  }
  return { family, network: value & mask(prefix, max), prefix };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  const max = cidr.family === 4 ? 32 : 128;
  return (ip.value & mask(cidr.prefix, max)) === cidr.network;
}

function mask(prefix: number, max: number): bigint {
  const all = (1n << BigInt(max)) - 1n;
  return all ^ ((1n << BigInt(max - prefix)) - 1n);
}

function ipv4ToBigInt(s: string): bigint {
  return s.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(s: string): bigint {
  let text = s;
  // A trailing dotted IPv4 part stands for the last two 16-bit groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = ipv4ToBigInt(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
