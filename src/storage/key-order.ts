// Object-key order as S3 lists it: UTF-8 bytewise, which equals Unicode code-point order.
// JavaScript's `<` compares UTF-16 code units, which disagrees for astral characters (emoji) versus
// U+E000..U+FFFF; these helpers are what the index implementations use instead.

const HIGH_SURROGATE_MIN = 0xd800;
const LOW_SURROGATE_MIN = 0xdc00;
const SURROGATE_MAX = 0xdfff;
const MAX_CODE_POINT = 0x10ffff;

/** Negative, zero or positive as `a` sorts before, equal to or after `b` bytewise in UTF-8. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates encode code points above U+FFFF: lift them over U+E000..U+FFFF (the ICU fix-up).
    if (x >= HIGH_SURROGATE_MIN && y >= HIGH_SURROGATE_MIN) {
      x = x > SURROGATE_MAX ? x - 0x800 : x + 0x2000;
      y = y > SURROGATE_MAX ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when no
 * such string exists (empty prefix, or one made only of U+10FFFF). Range scans use it as the
 * exclusive upper bound of a prefix and as the jump target past a common prefix.
 */
export function prefixSuccessor(prefix: string): string | undefined {
  let end = prefix.length;
  while (end > 0) {
    let start = end - 1;
    const unit = prefix.charCodeAt(start);
    if (unit >= LOW_SURROGATE_MIN && unit <= SURROGATE_MAX && start > 0) {
      const before = prefix.charCodeAt(start - 1);
      if (before >= HIGH_SURROGATE_MIN && before < LOW_SURROGATE_MIN) start -= 1;
    }
    const codePoint = prefix.codePointAt(start) ?? 0;
    if (codePoint < MAX_CODE_POINT) {
      let next = codePoint + 1;
      // Surrogate code points cannot appear in UTF-8: the next character after U+D7FF is U+E000.
      if (next >= HIGH_SURROGATE_MIN && next <= SURROGATE_MAX) next = SURROGATE_MAX + 1;
      return prefix.slice(0, start) + String.fromCodePoint(next);
    }
    end = start;
  }
  return undefined;
}
