// A typed client for the admin API: signs each request, sends it, and turns error documents into ApiError.
import { ADMIN_PREFIX, type ErrorDocument } from '../types.js';
import { exchange } from './http.js';
import { signRequest } from './sign.js';

export interface Connection {
  endpoint: URL;
  accessKey: string;
  secretKey: string;
  region: string;
  /** PEM bundle of the CA that signed the server's certificate (HTTPS with a private CA). */
  ca?: Buffer;
}

/** The server answered with an error document (or something that is not one: code `HttpError`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Path segments are escaped one by one; user names may hold `+ = , @`, which must not change meaning. */
export function apiPath(...segments: string[]): string {
  return segments.map((s) => '/' + encodeURIComponent(s)).join('');
}

export class AdminClient {
  constructor(private readonly connection: Connection) {}

  /** Sends a JSON document (objects) or raw text (policies, given as they are); resolves to the parsed answer. */
  async call<T = unknown>(method: string, path: string, body?: object | string): Promise<T> {
    const base = this.connection.endpoint.href.replace(/\/+$/, '');
    const url = new URL(base + ADMIN_PREFIX + path);
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const headers = signRequest({
      method,
      url,
      body: payload,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      accessKey: this.connection.accessKey,
      secretKey: this.connection.secretKey,
      region: this.connection.region,
    });
    const answer = await exchange(url, method, headers, payload, this.connection.ca);
    const text = answer.body.toString('utf8');
    let doc: unknown;
    try {
      doc = text === '' ? undefined : JSON.parse(text);
    } catch {
      doc = undefined;
    }
    if (answer.status >= 200 && answer.status < 300) return doc as T;
    const error = (doc as Partial<ErrorDocument> | undefined)?.error;
    if (error && typeof error.code === 'string') throw new ApiError(answer.status, error.code, error.message ?? '');
    // Not an admin answer at all: an older server, a proxy, or a wrong endpoint (an S3 XML error, an HTML page).
    const hint = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    throw new ApiError(answer.status, hint ?? 'HttpError', `HTTP ${answer.status} from ${url.origin}${hint ? '' : ': ' + text.slice(0, 200)}; is this a sklad server with the admin API?`);
  }
}
