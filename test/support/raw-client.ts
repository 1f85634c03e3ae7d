// A low-level S3 client for requests the SDKs will not send: tampered signatures, hand-made aws-chunked
// bodies, malformed input. Signs with the SDK's own SigV4 signer and sends with undici.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'undici';
import { ACCESS_KEY, REGION, SECRET_KEY } from './server.js';

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

export function signer(secret = SECRET_KEY, accessKey = ACCESS_KEY, region = REGION): SignatureV4 {
  return new SignatureV4({
    service: 's3',
    region,
    credentials: { accessKeyId: accessKey, secretAccessKey: secret },
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

export interface RawRequest {
  method: string;
  /** Already percent-encoded path, e.g. /bucket/key */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | string;
  secret?: string;
  accessKey?: string;
  /** Value for x-amz-content-sha256; defaults to the body's SHA-256. */
  payloadHash?: string;
  signingDate?: Date;
  /** The region in the credential scope (default REGION). */
  region?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export const sha256hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export async function signedRequest(endpoint: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  const body = req.body ?? '';
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-content-sha256': req.payloadHash ?? sha256hex(body),
    ...req.headers,
  };
  const signed = await signer(req.secret, req.accessKey, req.region).sign(
    { method: req.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: req.path, query: req.query ?? {}, headers, body },
    { signingDate: req.signingDate },
  );
  return send(endpoint, req.method, req.path, req.query, signed.headers as Record<string, string>, body);
}

export async function send(
  endpoint: string,
  method: string,
  path: string,
  query: Record<string, string> | undefined,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<RawResponse> {
  const qs = query && Object.keys(query).length ? '?' + new URLSearchParams(query).toString().replace(/\+/g, '%20') : '';
  const { host: _host, ...rest } = headers;
  const res = await request(`${endpoint}${path}${qs}`, {
    method: method as 'GET',
    headers: rest,
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/** The <Code> of an S3 error document. */
export function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function signingKey(secret: string, date: string, region = REGION): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
}

/**
 * Frames `data` as an aws-chunked body with signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]),
 * following the AWS "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks" page.
 */
export function signedChunkedBody(opts: {
  data: Buffer;
  chunkSize: number;
  seedSignature: string;
  amzDate: string;
  secret?: string;
  trailer?: { name: string; value: string };
  tamperChunk?: number;
}): Buffer {
  const date = opts.amzDate.slice(0, 8);
  const scope = `${date}/${REGION}/s3/aws4_request`;
  const key = signingKey(opts.secret ?? SECRET_KEY, date);
  const emptyHash = sha256hex('');
  const parts: Buffer[] = [];
  let previous = opts.seedSignature;
  const chunks: Buffer[] = [];
  for (let i = 0; i < opts.data.length; i += opts.chunkSize) chunks.push(opts.data.subarray(i, i + opts.chunkSize));
  chunks.push(Buffer.alloc(0));
  chunks.forEach((chunk, i) => {
    const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', opts.amzDate, scope, previous, emptyHash, sha256hex(chunk)].join('\n');
    let signature = hmac(key, stringToSign).toString('hex');
    previous = signature;
    if (opts.tamperChunk === i) signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk, Buffer.from(chunk.length ? '\r\n' : ''));
  });
  if (opts.trailer) {
    const trailerLine = `${opts.trailer.name}:${opts.trailer.value}`;
    const stringToSign = ['AWS4-HMAC-SHA256-TRAILER', opts.amzDate, scope, previous, sha256hex(trailerLine + '\n')].join('\n');
    const signature = hmac(key, stringToSign).toString('hex');
    parts.push(Buffer.from(`${trailerLine}\r\nx-amz-trailer-signature:${signature}\r\n\r\n`));
  } else {
    parts.push(Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
