// A plain HTTP client for the web console's API, as a browser on the console's page would call it: it keeps the
// session cookie, sends the CSRF token and the page's Origin. Each knob can be turned off to act as an attacker.
import { request } from 'undici';

export const CONSOLE = '/_sklad/console';

export interface ConsoleAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

export class ConsoleClient {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly endpoint: string) {}

  get origin(): string {
    return this.endpoint;
  }

  async send(
    method: string,
    path: string,
    opts: { body?: string | Buffer; json?: unknown; headers?: Record<string, string>; csrf?: string | null; origin?: string | null; cookie?: string | null } = {},
  ): Promise<ConsoleAnswer> {
    const headers: Record<string, string> = { ...opts.headers };
    const cookie = opts.cookie === undefined ? this.cookie : opts.cookie;
    if (cookie) headers.cookie = cookie;
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (csrf && method !== 'GET' && method !== 'HEAD') headers['x-sklad-csrf'] = csrf;
    const origin = opts.origin === undefined ? this.origin : opts.origin;
    if (origin && method !== 'GET' && method !== 'HEAD') headers.origin = origin;
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    const res = await request(this.endpoint + CONSOLE + path, { method: method as 'GET', headers, body });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, body: text, json };
  }

  /** Signs in; keeps the cookie and CSRF token on success. */
  async login(accessKeyId: string, secretKey: string, opts: { origin?: string | null } = {}): Promise<ConsoleAnswer> {
    const res = await this.send('POST', '/api/login', { json: { accessKeyId, secretKey }, csrf: null, origin: opts.origin });
    if (res.status === 200) {
      this.cookie = setCookieValue(res);
      this.csrf = res.json.csrfToken;
    }
    return res;
  }
}

/** `name=value` of the Set-Cookie header, for sending back. */
export function setCookieValue(res: ConsoleAnswer): string | undefined {
  const raw = res.headers['set-cookie'];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first?.split(';')[0];
}
