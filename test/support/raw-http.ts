// A hand-driven HTTP/1.1 connection (plain or TLS) for tests that must control exactly which socket a request
// travels on: keep-alive reuse across a certificate reload, a request already open when the server drains.
import net from 'node:net';
import tls from 'node:tls';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: net.Socket;
  /** Writes raw bytes (e.g. half a request). */
  write(data: string): void;
  /** Reads one complete response (Content-Length framed). */
  response(timeoutMs?: number): Promise<RawResponse>;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
  close(): void;
}

function wrap(socket: net.Socket): RawConnection {
  let buffered = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  let ended = false;
  socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    wake?.();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    ended = true;
    wake?.();
    resolve();
  }));
  socket.on('error', () => undefined);
  const parse = (): RawResponse | undefined => {
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (buffered.length < end + 4 + length) return undefined;
    const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
    buffered = buffered.subarray(end + 4 + length);
    return { status: Number(lines[0]!.split(' ')[1]), headers, body };
  };
  return {
    socket,
    write: (data) => void socket.write(data),
    response: (timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no complete response in time')), timeoutMs);
        const check = (): void => {
          const r = parse();
          if (r) {
            clearTimeout(timer);
            wake = undefined;
            resolve(r);
          } else if (ended) {
            clearTimeout(timer);
            reject(new Error(`connection closed before a complete response: ${buffered.toString('latin1')}`));
          }
        };
        wake = check;
        check();
      }),
    closed,
    close: () => socket.destroy(),
  };
}

export function connectPlain(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(wrap(socket)));
    socket.once('error', reject);
  });
}

export function connectTls(port: number, ca?: string | string[]): Promise<RawConnection & { fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, rejectUnauthorized: ca !== undefined }, () =>
      resolve({ ...wrap(socket), fingerprint256: socket.getPeerX509Certificate()!.fingerprint256 }),
    );
    socket.once('error', reject);
  });
}

/** The SHA-256 fingerprint of the certificate a fresh TLS connection is served. */
export async function servedFingerprint(port: number): Promise<string> {
  const c = await connectTls(port);
  c.close();
  return c.fingerprint256;
}

export function get(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`;
}
