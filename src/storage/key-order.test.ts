// key-order helpers checked against UTF-8 bytes, the order they stand in for.
import { describe, expect, it } from 'vitest';
import { compareKeys, prefixSuccessor } from './key-order.js';

const byteCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0);

/** Characters around every boundary where UTF-16 and UTF-8 order could disagree. */
const alphabet = ['a', 'b', '/', '\u007f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '😀', '\u{10FFFF}'];

function randomKey(length: number): string {
  let key = '';
  for (let i = 0; i < length; i++) key += alphabet[Math.floor(Math.random() * alphabet.length)];
  return key;
}

describe('compareKeys', () => {
  it('orders like UTF-8 bytes', () => {
    expect(compareKeys('\uffff', '😀')).toBeLessThan(0);
    expect(compareKeys('\ue000', '\u{10000}')).toBeLessThan(0);
    expect(compareKeys('a', 'ab')).toBeLessThan(0);
    expect(compareKeys('B', 'a')).toBeLessThan(0);
    expect(compareKeys('same', 'same')).toBe(0);
    for (let i = 0; i < 5000; i++) {
      const a = randomKey(1 + Math.floor(Math.random() * 4));
      const b = randomKey(1 + Math.floor(Math.random() * 4));
      expect([a, b, sign(compareKeys(a, b))]).toEqual([a, b, sign(byteCompare(a, b))]);
    }
  });
});

describe('prefixSuccessor', () => {
  it('increments the last code point, skipping the surrogate range and dropping trailing U+10FFFF', () => {
    expect(prefixSuccessor('abc')).toBe('abd');
    expect(prefixSuccessor('a/')).toBe('a0');
    expect(prefixSuccessor('\ud7ff')).toBe('\ue000');
    expect(prefixSuccessor('x\uffff')).toBe('x\u{10000}');
    expect(prefixSuccessor('x😀')).toBe('x😁');
    expect(prefixSuccessor('x\u{10FFFF}\u{10FFFF}')).toBe('y');
    expect(prefixSuccessor('\u{10FFFF}')).toBeUndefined();
    expect(prefixSuccessor('')).toBeUndefined();
  });

  it('bounds exactly the strings that start with the prefix', () => {
    for (let i = 0; i < 5000; i++) {
      const prefix = randomKey(1 + Math.floor(Math.random() * 3));
      const key = Math.random() < 0.5 ? prefix + randomKey(Math.floor(Math.random() * 3)) : randomKey(1 + Math.floor(Math.random() * 4));
      const upper = prefixSuccessor(prefix);
      const inRange = byteCompare(key, prefix) >= 0 && (upper === undefined || byteCompare(key, upper) < 0);
      expect([prefix, key, inRange]).toEqual([prefix, key, key.startsWith(prefix)]);
    }
  });
});
