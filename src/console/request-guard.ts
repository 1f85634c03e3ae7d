// Cross-site request forgery protection for the console: a state-changing request must carry the session's
// token in `x-sklad-csrf` and, when the browser says where it comes from (Origin, Sec-Fetch-Site), come from
// the console's own origin. SameSite=Strict on the cookie is a third layer, not the only one.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CSRF_HEADER = 'x-sklad-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

export function isSecure(incoming: IncomingMessage): boolean {
  return 'encrypted' in incoming.socket && incoming.socket.encrypted === true;
}

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Does the request come from the console's own origin, as far as the browser tells? */
export function sameOrigin(incoming: IncomingMessage): boolean {
  const site = header(incoming, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = header(incoming, 'origin');
  if (origin === undefined) return true;
  const host = header(incoming, 'host');
  return host !== undefined && origin === `${isSecure(incoming) ? 'https' : 'http'}://${host}`;
}

export function tokenMatches(incoming: IncomingMessage, expected: string): boolean {
  const sent = header(incoming, CSRF_HEADER);
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
