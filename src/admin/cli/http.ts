// One HTTP(S) exchange with node:http/https: no dependency beyond Node, and a private CA bundle is one option.
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A stalled server should not hang a script forever. */
const TIMEOUT_MS = 60_000;

export function exchange(url: URL, method: string, headers: Record<string, string>, body: Buffer, ca?: Buffer): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:';
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method, headers: { ...headers, 'content-length': String(body.length) }, ...(secure && ca ? { ca } : {}), timeout: TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}
