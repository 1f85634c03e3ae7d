// Percent-decoding and RFC 3986 re-encoding of raw URI parts, as SigV4 canonicalisation needs them.
// Decoding never throws: a malformed escape or invalid UTF-8 is kept as the bytes that were sent.

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const HEX = Array.from({ length: 256 }, (_, b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'));

function isHexDigit(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66));
}

function isUnreservedByte(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e
  );
}

/** The bytes a raw URI component stands for: `%XX` escapes decoded, everything else as its UTF-8 bytes. */
export function percentDecodeBytes(raw: string, plusIsSpace: boolean): Buffer {
  const src = Buffer.from(plusIsSpace ? raw.replaceAll('+', ' ') : raw, 'utf8');
  if (!src.includes(0x25)) return src;
  const out = Buffer.allocUnsafe(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (b === 0x25 && isHexDigit(src[i + 1]) && isHexDigit(src[i + 2])) {
      out[o++] = parseInt(src.toString('latin1', i + 1, i + 3), 16);
      i += 2;
    } else {
      out[o++] = b;
    }
  }
  return out.subarray(0, o);
}

/** A raw URI component decoded to text (invalid UTF-8 becomes U+FFFD). */
export function percentDecode(raw: string, plusIsSpace: boolean): string {
  if (!raw.includes('%') && !(plusIsSpace && raw.includes('+'))) return raw;
  return percentDecodeBytes(raw, plusIsSpace).toString('utf8');
}

/** RFC 3986 encoding: unreserved characters stay, every other byte becomes upper-case `%XX`. */
export function uriEncodeBytes(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += isUnreservedByte(b) ? String.fromCharCode(b) : HEX[b];
  return out;
}

/**
 * Decodes a raw component and encodes it again the way SigV4 wants it. Equivalent spellings of the same bytes
 * (`%7e` and `~`, `%c3%a9` and `%C3%A9`) canonicalise alike, and nothing is ever double-encoded.
 */
export function recode(raw: string, plusIsSpace: boolean): string {
  if (UNRESERVED.test(raw)) return raw;
  return uriEncodeBytes(percentDecodeBytes(raw, plusIsSpace));
}
