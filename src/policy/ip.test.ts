import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from './ip.js';

function inBlock(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  if (!c || !a) throw new Error(`bad input ${cidr} ${ip}`);
  return cidrContains(c, a);
}

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', 4, 0x7f000001n],
    ['::1', 6, 1n],
    ['::ffff:127.0.0.1', 4, 0x7f000001n],
    ['::FFFF:7f00:1', 4, 0x7f000001n],
    ['2001:db8::', 6, 0x20010db8n << 96n],
    ['fe80::1%eth0', 6, (0xfe80n << 112n) + 1n],
    ['1:2:3:4:5:6:7:8', 6, 0x00010002000300040005000600070008n],
  ])('%s', (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it.each(['', 'localhost', '256.0.0.1', '1.2.3', '::g', '1.2.3.4/8'])('rejects %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/a', '::/129', 'x/8', '10.0.0.0/8/8'])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('clears host bits and defaults to a single address', () => {
    expect(parseCidr('192.0.2.77/24')).toEqual({ family: 4, network: 0xc0000200n, prefix: 24 });
    expect(parseCidr('192.0.2.77')).toEqual({ family: 4, network: 0xc000024dn, prefix: 32 });
    expect(parseCidr('2001:db8::1')?.prefix).toBe(128);
  });
});

describe('cidrContains', () => {
  it.each([
    ['192.0.2.0/24', '192.0.2.188', true],
    ['192.0.2.0/24', '192.0.3.1', false],
    ['192.0.2.188/32', '192.0.2.188', true],
    ['192.0.2.188', '192.0.2.189', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    // A dual-stack socket reports IPv4 clients as IPv4-mapped IPv6 addresses.
    ['127.0.0.0/8', '::ffff:127.0.0.1', true],
    ['10.0.0.0/8', '::ffff:11.0.0.1', false],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5678:abcd::1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1', false],
    ['::/0', '2001:db8::1', true],
    ['::/0', '10.0.0.1', false],
    // A block written as IPv4-mapped IPv6 covers the IPv4 addresses it maps.
    ['::ffff:10.0.0.0/104', '10.1.2.3', true],
    ['::ffff:10.0.0.0/104', '11.1.2.3', false],
  ])('%s contains %s → %s', (cidr, ip, expected) => {
    expect(inBlock(cidr, ip)).toBe(expected);
  });
});
