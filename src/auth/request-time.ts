// Request timestamps: the ISO 8601 basic form SigV4 signs, HTTP dates, and the clock-skew rule.
import { S3Error } from '../errors/s3-error.js';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses `YYYYMMDDTHHMMSSZ`; undefined unless it names a real instant. */
export function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // A real instant only if Date.UTC rolled no field over (Feb 30, hour 25; years below 100 it reads as 19xx):
  // compared field by field, which every signed request does, rather than by formatting the date again.
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
    && date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
  return real ? date : undefined;
}

export function formatAmzDate(date: Date): string {
  const iso = date.toISOString();
  // Slicing the common YYYY-MM-DDTHH:MM:SS.sssZ form: every signed request formats a date or two.
  if (iso.length !== 24) return iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** An RFC 7231 / RFC 2616 date (`Date`, SigV2's `x-amz-date`). */
export function parseHttpDate(value: string): Date | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** `2013-05-24T00:00:00Z`, the form S3 uses for times inside error documents. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function missingDate(): S3Error {
  return new S3Error('AccessDenied', { message: 'AWS authentication requires a valid Date or x-amz-date header' });
}

/** Header-signed requests must be within `maxSkewSeconds` of the server clock, either way (anti-replay). */
export function assertWithinSkew(requestTime: Date, sentAs: string, now: Date, maxSkewSeconds: number): void {
  if (Math.abs(now.getTime() - requestTime.getTime()) <= maxSkewSeconds * 1000) return;
  throw new S3Error('RequestTimeTooSkewed', {
    fields: { RequestTime: sentAs, ServerTime: isoSeconds(now), MaxAllowedSkewMilliseconds: maxSkewSeconds * 1000 },
  });
}
