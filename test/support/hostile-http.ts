// A byte-exact HTTP/1.1 client for hostile-input tests: requests are built and SigV4-signed here from raw,
// already-encoded paths and queries, written to a plain TCP socket (so bodies, lengths and framing are whatever a
// test says), and the reply is parsed with a deadline. Also the checks every reply must pass, and helpers that
// record and re-check stored data.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { hmac, sha256hex, signingKey } from './raw-client.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from './server.js';

// ---------------------------------------------------------------------------------------------------------------
// Encoding

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 percent-encoding of every byte except unreserved characters (what SigV4 calls UriEncode). */
export function uriEncode(value: string | Buffer, keepSlash = false): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && (UNRESERVED.test(c) || (keepSlash && c === '/'))) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The path of an object: `/bucket/key` with the key's bytes encoded and its slashes kept. */
export function objectPath(bucket: string, key: string | Buffer): string {
  return `/${uriEncode(bucket)}/${uriEncode(key, true)}`;
}

export const md5base64 = (data: Buffer | string): string => createHash('md5').update(data).digest('base64');
export const md5hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

// ---------------------------------------------------------------------------------------------------------------
// Building signed requests

function percentDecodeBytes(raw: string, plusIsSpace: boolean): Buffer {
  const src = Buffer.from(plusIsSpace ? raw.replace(/\+/g, ' ') : raw, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const hex = src.toString('latin1', i + 1, i + 3);
    if (src[i] === 0x25 && /^[0-9a-fA-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(src[i]!);
    }
  }
  return Buffer.from(out);
}

/** The SigV4 canonical URI of a raw path: each segment's bytes percent-decoded and encoded again. */
export function canonicalPath(raw: string): string {
  return raw.split('/').map((segment) => uriEncode(percentDecodeBytes(segment, false))).join('/');
}

/** The SigV4 canonical query of a raw query string ('+' read as a space, as the server reads it). */
export function canonicalRawQuery(raw: string): string {
  return raw
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      return [uriEncode(percentDecodeBytes(name, true)), uriEncode(percentDecodeBytes(value, true))] as const;
    })
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

export interface QueryParam {
  name: string | Buffer;
  /** null sends the bare name (`?delete`), which signs as `delete=`. */
  value?: string | Buffer | null;
}

export interface RequestSpec {
  method: string;
  /** Raw request path, sent exactly as given and signed in its canonical form. */
  path: string;
  query?: QueryParam[];
  /** A query string sent exactly as given (instead of `query`), signed in its canonical form. */
  rawQuery?: string;
  /** Sent and signed. Values are latin1 strings (one char per byte). */
  headers?: [string, string][];
  /** Sent but not signed. */
  unsignedHeaders?: [string, string][];
  body?: Buffer | string;
  /** x-amz-content-sha256; default the body's SHA-256. */
  payloadHash?: string;
  /** Content-Length to announce; default the body's length; null leaves the header out. */
  contentLength?: number | null;
  /** Sign as of this time (default now). */
  date?: Date;
  /** Send this x-amz-date header instead of the one that was signed. */
  sentAmzDate?: string;
  /** Sign with this path instead of `path` (a signature the server should refuse). */
  signedPath?: string;
  /** Leave out the Authorization header (anonymous). */
  anonymous?: boolean;
  secret?: string;
}

export interface BuiltRequest {
  head: Buffer;
  body: Buffer;
  /** The request's own signature, the seed of a signed aws-chunked body. */
  signature: string;
  amzDate: string;
}

function amzDateOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function encodedQuery(query: QueryParam[]): { raw: string; canonical: string } {
  const pairs = query.map((p) => ({
    name: uriEncode(p.name),
    value: p.value === undefined || p.value === null ? undefined : uriEncode(p.value),
  }));
  const raw = pairs.map((p) => (p.value === undefined ? p.name : `${p.name}=${p.value}`)).join('&');
  const canonical = pairs
    .map((p) => [p.name, p.value ?? ''] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
  return { raw, canonical };
}

const canonicalValue = (v: string): string => v.replace(/[ \t]+/g, ' ').trim();

/** Adds (or replaces) headers at the end of a built request head. */
export function withHeaders(head: Buffer, headers: [string, string][]): Buffer {
  const text = head.toString('latin1');
  const names = new Set(headers.map(([n]) => n.toLowerCase()));
  const lines = text.slice(0, -4).split('\r\n').filter((line, i) => i === 0 || !names.has(line.slice(0, line.indexOf(':')).toLowerCase()));
  return Buffer.from([...lines, ...headers.map(([n, v]) => `${n}: ${v}`)].join('\r\n') + '\r\n\r\n', 'latin1');
}

export function buildRequest(port: number, spec: RequestSpec): BuiltRequest {
  const date = spec.date ?? new Date();
  const amzDate = amzDateOf(date);
  const body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'latin1') : spec.body ?? Buffer.alloc(0);
  const payloadHash = spec.payloadHash ?? sha256hex(body);
  const signed: [string, string][] = [
    ['host', `127.0.0.1:${port}`],
    ['x-amz-date', amzDate],
    ['x-amz-content-sha256', payloadHash],
    ...(spec.headers ?? []),
  ];
  const { raw, canonical } = spec.rawQuery !== undefined
    ? { raw: spec.rawQuery, canonical: canonicalRawQuery(spec.rawQuery) }
    : encodedQuery(spec.query ?? []);
  const merged = new Map<string, string>();
  for (const [name, value] of signed) {
    const lower = name.toLowerCase();
    const seen = merged.get(lower);
    merged.set(lower, seen === undefined ? value : `${seen},${value}`);
  }
  const names = [...merged.keys()].sort();
  const canonicalRequest = [
    spec.method,
    spec.signedPath ?? canonicalPath(spec.path),
    canonical,
    names.map((n) => `${n}:${canonicalValue(merged.get(n)!)}\n`).join(''),
    names.join(';'),
    payloadHash,
  ].join('\n');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(Buffer.from(canonicalRequest, 'utf8'))].join('\n');
  const signature = hmac(signingKey(spec.secret ?? SECRET_KEY, day), stringToSign).toString('hex');
  const lines = [`${spec.method} ${spec.path}${raw || spec.rawQuery !== undefined ? '?' + raw : ''} HTTP/1.1`];
  for (const [name, value] of signed) {
    if (name === 'x-amz-date' && spec.sentAmzDate !== undefined) lines.push(`${name}: ${spec.sentAmzDate}`);
    else lines.push(`${name}: ${value}`);
  }
  for (const [name, value] of spec.unsignedHeaders ?? []) lines.push(`${name}: ${value}`);
  if (!spec.anonymous) {
    lines.push(`authorization: AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`);
  }
  const contentLength = spec.contentLength === undefined ? body.length : spec.contentLength;
  if (contentLength !== null) lines.push(`content-length: ${contentLength}`);
  return { head: Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body, signature, amzDate };
}

// ---------------------------------------------------------------------------------------------------------------
// Exchanging bytes

export interface HttpReply {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface Outcome {
  reply?: HttpReply;
  timedOut: boolean;
  /** Socket error seen before a complete reply (ECONNRESET, EPIPE…). */
  error?: string;
  /** Bytes received when no complete reply could be parsed. */
  partial?: Buffer;
}

export interface ExchangeOptions {
  /** The request is a HEAD: its reply has no body whatever its headers say. */
  head?: boolean;
  timeoutMs?: number;
}

type Parsed = { done: false } | { done: true; reply: HttpReply; rest: Buffer };

function decodeChunked(buf: Buffer): { body: Buffer; used: number } | undefined {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol === -1) return undefined;
    const size = parseInt(buf.toString('latin1', pos, eol).split(';')[0]!, 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size in reply: ${buf.toString('latin1', pos, eol)}`);
    pos = eol + 2;
    if (size === 0) {
      const end = buf.indexOf('\r\n\r\n', pos - 2);
      if (end === -1) return undefined;
      return { body: Buffer.concat(parts), used: end + 4 };
    }
    if (buf.length < pos + size + 2) return undefined;
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}

function parseReply(buf: Buffer, head: boolean, closed: boolean): Parsed {
  let rest = buf;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return { done: false };
    const lines = rest.toString('latin1', 0, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
    if (!m) throw new Error(`not an HTTP reply: ${JSON.stringify(lines[0]!.slice(0, 100))}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const after = rest.subarray(end + 4);
    if (status >= 100 && status < 200) {
      rest = after;
      continue;
    }
    if (head || status === 204 || status === 304) return { done: true, reply: { status, headers, body: Buffer.alloc(0) }, rest: after };
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const decoded = decodeChunked(after);
      if (!decoded) return { done: false };
      return { done: true, reply: { status, headers, body: decoded.body }, rest: after.subarray(decoded.used) };
    }
    if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (after.length < n) return { done: false };
      return { done: true, reply: { status, headers, body: after.subarray(0, n) }, rest: after.subarray(n) };
    }
    if (!closed) return { done: false };
    return { done: true, reply: { status, headers, body: after }, rest: Buffer.alloc(0) };
  }
}

/**
 * Opens a connection, lets `write` send whatever it wants, and waits for one complete reply (or the
 * connection to close, or the deadline). The socket is destroyed afterwards.
 */
export function exchange(
  port: number,
  write: (socket: net.Socket) => void | Promise<void>,
  opts: ExchangeOptions = {},
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    let error: string | undefined;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const attempt = (closed: boolean): void => {
      const buf = Buffer.concat(chunks);
      let parsed: Parsed;
      try {
        parsed = parseReply(buf, opts.head ?? false, closed);
      } catch (e) {
        finish({ timedOut: false, error: (e as Error).message, partial: buf });
        return;
      }
      if (parsed.done) finish({ reply: parsed.reply, timedOut: false, error });
      else if (closed) finish({ timedOut: false, error: error ?? 'connection closed before a complete reply', partial: buf });
    };
    const timer = setTimeout(() => finish({ timedOut: true, partial: Buffer.concat(chunks), error }), opts.timeoutMs ?? 10_000);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      attempt(false);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
    });
    socket.on('close', () => attempt(true));
    socket.once('connect', () => {
      Promise.resolve(write(socket)).catch((e: Error) => {
        error ??= e.message;
      });
    });
  });
}

/** Sends a complete request and waits for its reply. */
export function send(port: number, request: { head: Buffer; body?: Buffer }, opts: ExchangeOptions = {}): Promise<Outcome> {
  return exchange(port, (socket) => {
    socket.write(request.body && request.body.length > 0 ? Buffer.concat([request.head, request.body]) : request.head);
  }, opts);
}

/** Builds, signs and sends a request. */
export function signedSend(port: number, spec: RequestSpec, opts: ExchangeOptions = {}): Promise<Outcome> {
  return send(port, buildRequest(port, spec), { head: spec.method === 'HEAD', ...opts });
}

// ---------------------------------------------------------------------------------------------------------------
// What every reply must look like

/** Error codes of the AWS S3 API reference ("Error responses", and the per-operation pages). */
export const AWS_ERROR_CODES = new Set([
  'AccessControlListNotSupported', 'AccessDenied', 'AccessPointAlreadyOwnedByYou', 'AccountProblem', 'AllAccessDisabled',
  'AmbiguousGrantByEmailAddress', 'AuthorizationHeaderMalformed', 'AuthorizationQueryParametersError', 'BadDigest',
  'BucketAlreadyExists', 'BucketAlreadyOwnedByYou', 'BucketNotEmpty', 'ClientTokenConflict', 'ConditionalRequestConflict',
  'ConnectionClosedByRequester', 'CredentialsNotSupported', 'CrossLocationLoggingProhibited', 'DeviceNotActiveError',
  'EntityTooLarge', 'EntityTooSmall', 'EncryptionTypeMismatch', 'ExpiredToken', 'IllegalLocationConstraintException',
  'IllegalVersioningConfigurationException', 'IncompleteBody', 'IncorrectNumberOfFilesInPostRequest', 'InlineDataTooLarge',
  'InternalError', 'InvalidAccessKeyId', 'InvalidAccessPoint', 'InvalidAddressingHeader', 'InvalidArgument',
  'InvalidBucketAclWithObjectOwnership', 'InvalidBucketName', 'InvalidBucketOwnerAWSAccountID', 'InvalidBucketState',
  'InvalidDigest', 'InvalidEncryptionAlgorithmError', 'InvalidLocationConstraint', 'InvalidObjectState', 'InvalidPart',
  'InvalidPartNumber', 'InvalidPartOrder', 'InvalidPayer', 'InvalidPolicyDocument', 'InvalidRange', 'InvalidRequest',
  'InvalidSecurity', 'InvalidSOAPRequest', 'InvalidStorageClass', 'InvalidTag', 'InvalidTargetBucketForLogging',
  'InvalidToken', 'InvalidURI', 'KeyTooLongError', 'MalformedACLError', 'MalformedPOSTRequest', 'MalformedTrailerError',
  'MalformedXML', 'MaxMessageLengthExceeded', 'MaxPostPreDataLengthExceededError', 'MetadataTooLarge', 'MethodNotAllowed',
  'MissingAttachment', 'MissingContentLength', 'MissingRequestBodyError', 'MissingSecurityElement', 'MissingSecurityHeader',
  'MissingContentMD5', 'NoLoggingStatusForKey', 'NoSuchBucket', 'NoSuchBucketPolicy', 'NoSuchCORSConfiguration', 'NoSuchKey',
  'NoSuchLifecycleConfiguration', 'NoSuchTagSet', 'NoSuchUpload', 'NoSuchVersion', 'NoSuchWebsiteConfiguration',
  'NotImplemented', 'NotModified', 'NotSignedUp', 'OperationAborted', 'PermanentRedirect', 'PreconditionFailed', 'Redirect',
  'RequestHeaderSectionTooLarge', 'RequestIsNotMultiPartContent', 'RequestTimeout', 'RequestTimeTooSkewed',
  'RequestTorrentOfBucketError', 'ServiceUnavailable', 'SignatureDoesNotMatch', 'SlowDown', 'TemporaryRedirect',
  'TokenRefreshRequired', 'TooManyBuckets', 'UnexpectedContent', 'UnresolvableGrantByEmailAddress', 'UserKeyMustBeSpecified',
  'XAmzContentSHA256Mismatch', 'ServerSideEncryptionConfigurationNotFoundError', 'ObjectLockConfigurationNotFoundError',
  'NoSuchPublicAccessBlockConfiguration', 'OwnershipControlsNotFoundError', 'ReplicationConfigurationNotFoundError',
  'NoSuchAccessPoint', 'RestoreAlreadyInProgress', 'InvalidChunkSizeError', 'MalformedPolicy', 'InvalidRetentionPeriod',
  'NoSuchConfiguration', 'InvalidObjectName', 'BadRequest', 'AccessForbidden',
]);

/** HTTP status AWS documents for an error code (codes not listed here are only checked to be 4xx/5xx). */
const AWS_ERROR_STATUS: Record<string, number> = {
  AccessDenied: 403, AuthorizationHeaderMalformed: 400, AuthorizationQueryParametersError: 400, BadDigest: 400,
  BucketAlreadyExists: 409, BucketAlreadyOwnedByYou: 409, BucketNotEmpty: 409, EntityTooLarge: 400, EntityTooSmall: 400,
  IncompleteBody: 400, InvalidAccessKeyId: 403, InvalidArgument: 400, InvalidBucketName: 400, InvalidDigest: 400,
  InvalidLocationConstraint: 400, InvalidPart: 400, InvalidPartOrder: 400, InvalidRange: 416, InvalidRequest: 400,
  InvalidURI: 400, InvalidTag: 400, KeyTooLongError: 400, MalformedXML: 400, MetadataTooLarge: 400, MethodNotAllowed: 405,
  MissingContentLength: 411, MissingContentMD5: 400, NoSuchBucket: 404, NoSuchKey: 404, NoSuchTagSet: 404, NoSuchUpload: 404,
  NoSuchVersion: 404, NotImplemented: 501, PreconditionFailed: 412, RequestTimeTooSkewed: 403, SignatureDoesNotMatch: 403,
  MalformedTrailerError: 400, XAmzContentSHA256Mismatch: 400, InvalidStorageClass: 400,
};

/** Statuses Node's HTTP layer answers by itself, before any S3 code runs, for requests it cannot parse. */
const HTTP_LAYER_STATUSES = new Set([400, 413, 414, 431, 505]);

export interface ReplyExpectation {
  method: string;
  /** Node may refuse the request at the HTTP layer (malformed request line, headers too large). */
  httpLayer?: boolean;
  /** The connection may close without a reply (the request itself was cut short). */
  mayClose?: boolean;
  /** Error codes allowed; default any AWS code. */
  codes?: readonly string[];
  /** Success statuses allowed; default none (an error is expected). */
  success?: readonly number[];
}

export class ReplyViolation extends Error {}

export function describeOutcome(o: Outcome): string {
  if (o.reply) {
    const body = o.reply.body.toString('utf8');
    return `HTTP ${o.reply.status} ${JSON.stringify(o.reply.headers)} ${JSON.stringify(body.length > 600 ? body.slice(0, 600) + '…' : body)}`;
  }
  return `no reply (timedOut=${o.timedOut}, error=${o.error}, partial=${JSON.stringify(o.partial?.toString('latin1').slice(0, 200))})`;
}

export interface CheckedReply extends HttpReply {
  /** The S3 error code, when the reply is an error document. */
  code?: string;
  /** Set when Node's HTTP layer answered (no S3 code ran). */
  httpLayer?: boolean;
}

const errorParser = new XMLParser({ parseTagValue: false, trimValues: false });

/**
 * Throws a ReplyViolation unless the outcome is a well-formed S3 reply allowed by `want`: never a 500, a hang,
 * or a dropped connection (unless `mayClose`); errors are `<Error>` documents with an AWS code that matches the
 * status and a RequestId equal to the x-amz-request-id header.
 */
export function checkReply(o: Outcome, want: ReplyExpectation): CheckedReply | undefined {
  const fail = (why: string): never => {
    throw new ReplyViolation(`${why}: ${describeOutcome(o)}`);
  };
  if (o.timedOut) fail('the server did not answer in time (hang)');
  if (!o.reply) {
    if (want.mayClose) return undefined;
    return fail('the connection ended without a reply');
  }
  const r = o.reply;
  if (r.status === 500) fail('InternalError (500)');
  const requestId = r.headers['x-amz-request-id'];
  if (requestId === undefined) {
    if (want.httpLayer && HTTP_LAYER_STATUSES.has(r.status)) return { ...r, httpLayer: true };
    fail('reply without x-amz-request-id');
  }
  if (r.status < 300 || r.status === 304) {
    if (r.status === 304 && (want.success ?? []).includes(304)) return r;
    if (!(want.success ?? []).includes(r.status)) fail(`unexpected success status ${r.status}`);
    return r;
  }
  if (r.status < 400) fail(`unexpected status ${r.status}`);
  if (want.method === 'HEAD') {
    if (r.body.length !== 0) fail('HEAD reply with a body');
    return r;
  }
  const text = r.body.toString('utf8');
  if (!/^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>/.test(text)) fail('error reply is not an <Error> document');
  if (XMLValidator.validate(text) !== true) fail('error reply is not well-formed XML');
  const doc = errorParser.parse(text) as { Error?: { Code?: unknown; RequestId?: unknown } };
  const code = doc.Error?.Code;
  if (typeof code !== 'string' || !AWS_ERROR_CODES.has(code)) fail(`error code ${String(code)} is not an AWS S3 error code`);
  const c = code as string;
  if (doc.Error?.RequestId !== requestId) fail('RequestId differs from x-amz-request-id');
  const documented = AWS_ERROR_STATUS[c];
  if (documented !== undefined && documented !== r.status) fail(`${c} must be HTTP ${documented}`);
  if (want.codes && !want.codes.includes(c)) fail(`error code ${c} is not one of ${want.codes.join(', ')}`);
  return { ...r, code: c };
}

// ---------------------------------------------------------------------------------------------------------------
// Stored-data checks

export interface KnownObject {
  bucket: string;
  key: string;
  data: Buffer;
}

/** Known objects print as `bucket/key (n bytes)` in counterexamples instead of their bytes. */
export function knownObjects(objects: KnownObject[]): KnownObject[] {
  for (const o of objects) {
    Object.defineProperty(o, fc.toStringMethod, {
      configurable: true,
      value: () => `${o.bucket}/${JSON.stringify(o.key)} (${o.data.length} bytes)`,
    });
  }
  return objects;
}

const listParser = new XMLParser({
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'Contents' || name === 'CommonPrefixes' || name === 'Bucket',
});

export interface ListedEntry {
  key: string;
  size: number;
  etag: string;
}

function expectOk(o: Outcome, what: string): HttpReply {
  if (!o.reply || o.reply.status !== 200) throw new Error(`${what} failed: ${describeOutcome(o)}`);
  return o.reply;
}

/** Every object of a bucket (all pages of ListObjectsV2 with encoding-type=url), keys decoded. */
export async function listAll(port: number, bucket: string, prefix = ''): Promise<ListedEntry[]> {
  const out: ListedEntry[] = [];
  let token: string | undefined;
  do {
    const query: QueryParam[] = [{ name: 'list-type', value: '2' }, { name: 'encoding-type', value: 'url' }, { name: 'prefix', value: prefix }];
    if (token) query.push({ name: 'continuation-token', value: token });
    const reply = expectOk(await signedSend(port, { method: 'GET', path: `/${bucket}`, query }), `listing ${bucket}`);
    const doc = listParser.parse(reply.body.toString('utf8')) as {
      ListBucketResult: { Contents?: { Key: string; Size: string; ETag: string }[]; IsTruncated: string; NextContinuationToken?: string };
    };
    for (const c of doc.ListBucketResult.Contents ?? []) {
      out.push({ key: decodeURIComponent(c.Key.replace(/\+/g, '%20')), size: Number(c.Size), etag: c.ETag.replace(/&quot;/g, '"') });
    }
    token = doc.ListBucketResult.IsTruncated === 'true' ? doc.ListBucketResult.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function listBuckets(port: number): Promise<string[]> {
  const reply = expectOk(await signedSend(port, { method: 'GET', path: '/' }), 'ListBuckets');
  const doc = listParser.parse(reply.body.toString('utf8')) as { ListAllMyBucketsResult: { Buckets: { Bucket?: { Name: string }[] } | '' } };
  const buckets = doc.ListAllMyBucketsResult.Buckets;
  return buckets === '' ? [] : (buckets.Bucket ?? []).map((b) => b.Name);
}

export async function getBytes(port: number, bucket: string, key: string | Buffer): Promise<Outcome> {
  return signedSend(port, { method: 'GET', path: objectPath(bucket, key) });
}

export interface StoreSnapshot {
  buckets: string[];
  listings: Map<string, ListedEntry[]>;
}

export async function snapshot(port: number, buckets: string[]): Promise<StoreSnapshot> {
  const listings = new Map<string, ListedEntry[]>();
  for (const b of buckets) listings.set(b, await listAll(port, b));
  return { buckets: await listBuckets(port), listings };
}

/**
 * Stored data is exactly as before: the bucket list and every listing equal `before`, and each known object
 * still has its bytes. Returns a list of differences (empty when unchanged).
 */
export async function storeDifferences(port: number, before: StoreSnapshot, known: KnownObject[]): Promise<string[]> {
  const diffs: string[] = [];
  const after = await snapshot(port, [...before.listings.keys()]);
  if (JSON.stringify(after.buckets) !== JSON.stringify(before.buckets)) {
    diffs.push(`bucket list changed: ${JSON.stringify(before.buckets)} → ${JSON.stringify(after.buckets)}`);
  }
  for (const [bucket, entries] of before.listings) {
    const now = after.listings.get(bucket)!;
    if (JSON.stringify(now) !== JSON.stringify(entries)) {
      const was = new Map(entries.map((e) => [e.key, e]));
      const is = new Map(now.map((e) => [e.key, e]));
      for (const [k, e] of was) if (JSON.stringify(is.get(k)) !== JSON.stringify(e)) diffs.push(`${bucket}/${JSON.stringify(k)}: ${JSON.stringify(e)} → ${JSON.stringify(is.get(k))}`);
      for (const [k, e] of is) if (!was.has(k)) diffs.push(`${bucket}/${JSON.stringify(k)}: appeared ${JSON.stringify(e)}`);
    }
  }
  for (const o of known) {
    const got = await getBytes(port, o.bucket, o.key);
    if (!got.reply || got.reply.status !== 200 || !got.reply.body.equals(o.data)) {
      diffs.push(`${o.bucket}/${JSON.stringify(o.key)} bytes changed: ${describeOutcome(got).slice(0, 300)}`);
    }
  }
  return diffs;
}

export async function putObject(port: number, bucket: string, key: string, data: Buffer, headers: [string, string][] = []): Promise<void> {
  expectOk(await signedSend(port, { method: 'PUT', path: objectPath(bucket, key), body: data, headers }), `PUT ${bucket}/${key}`);
}

export async function createBucket(port: number, bucket: string): Promise<void> {
  expectOk(await signedSend(port, { method: 'PUT', path: `/${bucket}` }), `CreateBucket ${bucket}`);
}

/** Waits until `<dataDir>/tmp` holds no file, up to `ms`; returns the names of those still there. */
export async function leftoverTempFiles(dataDir: string, ms = 3000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    // Recursive: a gateway over PostgreSQL keeps its temporary files in a folder of its own under tmp/.
    const entries = await readdir(path.join(dataDir, 'tmp'), { recursive: true, withFileTypes: true }).catch(() => []);
    const names = entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name);
    if (names.length === 0 || Date.now() >= deadline) return names;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The fast-check seed of a family: HOSTILE_SEED overrides the default, and the seed in use is printed. */
export function familySeed(family: string, fallback: number): number {
  const fromEnv = Number(process.env.HOSTILE_SEED);
  const seed = Number.isSafeInteger(fromEnv) && process.env.HOSTILE_SEED ? fromEnv : fallback;
  console.log(`[hostile] ${family}: fast-check seed ${seed} (rerun with HOSTILE_SEED=${seed})`);
  return seed;
}

/** Number of cases: HOSTILE_RUNS_FACTOR scales every family (e.g. 10 for a long soak). */
export function runs(n: number): number {
  const factor = Number(process.env.HOSTILE_RUNS_FACTOR);
  return Number.isFinite(factor) && factor > 0 ? Math.max(1, Math.round(n * factor)) : n;
}
