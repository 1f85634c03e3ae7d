// Splits a raw request target into its undecoded path and query parameters, keeping both exactly as sent.
import { percentDecode } from './uri-encoding.js';

export interface RawParam {
  /** Name and value as they appear on the wire (still percent-encoded). */
  rawName: string;
  /** undefined when the parameter had no '=' at all (`?acl`). */
  rawValue: string | undefined;
}

export interface RawTarget {
  rawPath: string;
  params: RawParam[];
}

export function parseRawTarget(rawTarget: string): RawTarget {
  let target = rawTarget;
  // absolute-form (RFC 9112 §3.2.2), as some proxies send it
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length);
  const q = target.indexOf('?');
  const rawPath = (q === -1 ? target : target.slice(0, q)) || '/';
  const params: RawParam[] = [];
  if (q !== -1) {
    for (const part of target.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      params.push(eq === -1 ? { rawName: part, rawValue: undefined } : { rawName: part.slice(0, eq), rawValue: part.slice(eq + 1) });
    }
  }
  return { rawPath, params };
}

/**
 * The decoded value of the first parameter with this exact (decoded) name. '+' reads as a space, as it does for
 * the rest of the server (URLSearchParams), unless `plusIsSpace` is false (base64 values such as SigV2 signatures).
 */
export function queryValue(params: RawParam[], name: string, plusIsSpace = true): string | undefined {
  for (const p of params) {
    if (percentDecode(p.rawName, true) === name) return percentDecode(p.rawValue ?? '', plusIsSpace);
  }
  return undefined;
}

/** How many parameters have this exact (decoded) name. */
export function queryCount(params: RawParam[], name: string): number {
  let n = 0;
  for (const p of params) if (percentDecode(p.rawName, true) === name) n++;
  return n;
}

/** Like `queryValue`, but the name is compared case-insensitively. */
export function queryValueIgnoreCase(params: RawParam[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const p of params) {
    if (percentDecode(p.rawName, true).toLowerCase() === lower) return percentDecode(p.rawValue ?? '', true);
  }
  return undefined;
}
