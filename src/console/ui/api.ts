// Talks to the console API. The session lives in an HttpOnly cookie the page cannot read; the CSRF token is kept
// in memory only (never in storage) and sent with every state-changing request.
import type { AccessCheckRequest, AccessCheckView, ConsoleErrorDocument, MetricsSnapshot, PresignView, SessionView } from '../wire';

export const BASE = '/_sklad/console/api';

let csrfToken = '';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  get denied(): boolean {
    return this.status === 403 && this.code !== 'CsrfRejected';
  }
}

/** Called when the session turns out to be over, so the app can show the sign-in form again. */
let onSignedOut: () => void = () => {};
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text();
  let code = `HTTP${res.status}`;
  let message = res.statusText;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      const doc = JSON.parse(text) as ConsoleErrorDocument;
      code = doc.error.code;
      message = doc.error.message;
    } catch {
      /* keep the status line */
    }
  } else if (text.startsWith('<')) {
    const xml = new DOMParser().parseFromString(text, 'application/xml');
    code = xml.querySelector('Error > Code')?.textContent ?? code;
    message = xml.querySelector('Error > Message')?.textContent ?? message;
  }
  if (res.status === 401) onSignedOut();
  return new ApiError(res.status, code, message);
}

export interface CallOptions {
  method?: string;
  body?: BodyInit | null;
  headers?: Record<string, string>;
}

export async function call(path: string, opts: CallOptions = {}): Promise<Response> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { ...opts.headers };
  if (method !== 'GET' && method !== 'HEAD') headers['x-sklad-csrf'] = csrfToken;
  const res = await fetch(BASE + path, { method, body: opts.body ?? null, headers, credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw await errorFrom(res);
  return res;
}

export async function callJson<T>(path: string, opts: CallOptions & { json?: unknown } = {}): Promise<T> {
  const res = await call(path, {
    ...opts,
    body: opts.json === undefined ? opts.body : JSON.stringify(opts.json),
    headers: opts.json === undefined ? opts.headers : { 'content-type': 'application/json', ...opts.headers },
  });
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export function csrf(): string {
  return csrfToken;
}

// ---- session ----

export async function currentSession(): Promise<SessionView | undefined> {
  const res = await fetch(`${BASE}/session`, { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) return undefined;
  if (!res.ok) throw await errorFrom(res);
  const session = (await res.json()) as SessionView;
  csrfToken = session.csrfToken;
  return session;
}

export async function signIn(accessKeyId: string, secretKey: string): Promise<SessionView> {
  const res = await fetch(`${BASE}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId, secretKey }),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!res.ok) {
    const text = await res.text();
    let code = `HTTP${res.status}`;
    let message = res.statusText;
    try {
      const doc = JSON.parse(text) as ConsoleErrorDocument;
      code = doc.error.code;
      message = doc.error.message;
    } catch {
      /* keep the status line */
    }
    throw new ApiError(res.status, code, message);
  }
  const session = (await res.json()) as SessionView;
  csrfToken = session.csrfToken;
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await call('/logout', { method: 'POST' });
  } finally {
    csrfToken = '';
  }
}

export const presign = (bucket: string, key: string, expiresSeconds: number): Promise<PresignView> =>
  callJson<PresignView>('/presign', { method: 'POST', json: { bucket, key, expiresSeconds } });

export const accessCheck = (q: AccessCheckRequest): Promise<AccessCheckView> => callJson<AccessCheckView>('/access-check', { method: 'POST', json: q });

export const metrics = (): Promise<MetricsSnapshot> => callJson<MetricsSnapshot>('/metrics');
