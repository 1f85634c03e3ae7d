// The session cookie: HttpOnly and SameSite=Strict always; over TLS also Secure with the `__Host-` prefix, which
// makes the browser refuse it unless it is Secure, host-only and for Path=/.
import type { IncomingMessage } from 'node:http';

export function cookieName(secure: boolean): string {
  return secure ? '__Host-sklad_session' : 'sklad_session';
}

/** The value of one cookie from the Cookie header, or undefined. */
export function readCookie(incoming: IncomingMessage, name: string): string | undefined {
  const header = incoming.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(secure: boolean, id: string, maxAgeSeconds: number): string {
  return [`${cookieName(secure)}=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`, ...(secure ? ['Secure'] : [])].join('; ');
}

export function clearedCookie(secure: boolean): string {
  return sessionCookie(secure, '', 0);
}
