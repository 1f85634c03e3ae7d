// The static website endpoint, apart from the S3 API as on S3: anonymous GET and HEAD only, access decided by
// the bucket policy (and ACLs) as for any anonymous GetObject, index documents for folders, routing rules,
// the custom error document with the error's status, x-amz-website-redirect-location, and HTML error pages.
// Requests name the bucket by Host (`BUCKET.WEBSITE_DOMAIN`) or, on the website port, by path (/BUCKET/KEY).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { AccessControl } from '../access/access-control.js';
import { ANONYMOUS } from '../auth/credentials.js';
import type { Keyring } from '../crypto/keyring.js';
import { S3Error } from '../errors/s3-error.js';
import { conditionContext } from '../http/condition-context.js';
import { headerMap } from '../http/dispatch.js';
import type { S3Context, ServerSettings, ServerStats } from '../s3/context.js';
import { getObject, headObject } from '../s3/handlers/get.js';
import type { S3Response } from '../s3/respond.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { BucketRecord, MetadataIndex, WebsiteConfig } from '../storage/metadata-index.js';
import { errorPage } from './error-page.js';
import { errorRule, objectKeyFor, redirectFor, requestRule, type RequestOrigin } from './routing.js';

export interface WebsiteDeps {
  index: MetadataIndex;
  blobs: BlobStore;
  keyring: Keyring;
  access: AccessControl;
  settings: ServerSettings;
  stats: ServerStats;
  log: Logger;
  /** `bucket.WEBSITE_DOMAIN` Host headers name a bucket; without it only the path form works. */
  websiteDomain?: string;
}

export type WebsiteListener = ((incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>) & {
  /** True when the Host names a bucket under the website domain (so the S3 port hands the request over). */
  claims(host: string | undefined): boolean;
};

function bucketFromHost(host: string | undefined, domain: string | undefined): string | undefined {
  if (!host || !domain) return undefined;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  const suffix = '.' + domain.toLowerCase();
  return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : undefined;
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (cause) {
    throw new S3Error('InvalidURI', { cause });
  }
}

interface WebsiteRequest {
  incoming: IncomingMessage;
  method: 'GET' | 'HEAD';
  headers: Map<string, string>;
  bucket: string;
  /** The key as requested (before the index document is appended). */
  key: string;
  origin: RequestOrigin;
  requestId: string;
  now: Date;
}

type WebsiteSite = Extract<WebsiteConfig, { indexSuffix: string }>;

function redirect(status: number, location: string): S3Response {
  return { status, headers: { location, 'content-length': '0' } };
}

function htmlError(error: S3Error, requestId: string, customFailure?: S3Error): S3Response {
  return { status: error.status, headers: { 'content-type': 'text/html; charset=utf-8', ...error.headers }, body: errorPage(error, requestId, customFailure) };
}

/** An S3Context for reading one object anonymously, as GetObject/HeadObject would for an unsigned request. */
function readContext(req: WebsiteRequest, deps: WebsiteDeps, bucket: BucketRecord, key: string, headers: Map<string, string>): S3Context {
  const op = req.method === 'HEAD' ? 'HeadObject' : 'GetObject';
  const conditions = () => conditionContext(req.incoming, headers, new URLSearchParams(), req.now, { principal: null, payload: { kind: 'unsigned' } }, op);
  const access = deps.access.checkerFor(ANONYMOUS, conditions);
  return {
    op,
    action: 's3:GetObject',
    requestId: req.requestId,
    bucket: bucket.name,
    key,
    query: new URLSearchParams(),
    headers,
    principal: ANONYMOUS,
    bucketRecord: bucket,
    access,
    credentials: { lookup: async () => undefined },
    authenticatedAs: () => access,
    body: () => Readable.from([]),
    trailers: () => new Map(),
    readSmallBody: async () => Buffer.alloc(0),
    index: deps.index,
    blobs: deps.blobs,
    keyring: deps.keyring,
    secure: req.origin.protocol === 'https',
    settings: deps.settings,
    region: deps.settings.region,
    stats: deps.stats,
    log: deps.log,
    now: req.now,
  };
}

/** Reads `key` as an anonymous GetObject; throws AccessDenied or NoSuchKey as the website reports them. */
async function readObject(req: WebsiteRequest, deps: WebsiteDeps, bucket: BucketRecord, key: string, headers = req.headers): Promise<S3Response> {
  // No stored key holds U+0000 (see s3/request-params.ts), and PostgreSQL could not even be asked for one.
  if (key.includes('\0')) throw new S3Error('NoSuchKey', { fields: { Key: key } });
  const ctx = readContext(req, deps, bucket, key, headers);
  await ctx.access.require('s3:GetObject', bucket.name, key);
  const record = await deps.index.getObject(bucket.name, key);
  if (record === undefined || record.deleteMarker) throw new S3Error('NoSuchKey', { fields: { Key: key } });
  const redirectLocation = record.contentHeaders['x-amz-website-redirect-location'];
  if (redirectLocation !== undefined) {
    const location = redirectLocation.startsWith('/') ? `${req.origin.protocol}://${req.origin.host}${req.origin.pathPrefix}${redirectLocation}` : redirectLocation;
    return redirect(301, location);
  }
  return req.method === 'HEAD' ? headObject(ctx) : getObject(ctx);
}

/** The custom error document, answered with the error's status; S3's page when it cannot be read. */
async function errorAnswer(req: WebsiteRequest, deps: WebsiteDeps, bucket: BucketRecord, site: WebsiteSite, error: S3Error): Promise<S3Response> {
  const rule = errorRule(site.routingRules, req.key, error.status);
  if (rule !== undefined) {
    const target = redirectFor(rule, req.key, req.origin);
    return redirect(target.status, target.location);
  }
  if (site.errorKey === undefined || error.status >= 500) return htmlError(error, req.requestId);
  try {
    // Conditional and range headers were for the page asked for, not the error document.
    const plain = new Map([...req.headers].filter(([name]) => !name.startsWith('if-') && name !== 'range'));
    const page = await readObject(req, deps, bucket, site.errorKey, plain);
    if (page.status === 301) return page;
    return { ...page, status: error.status };
  } catch (e) {
    if (!(e instanceof S3Error)) throw e;
    return htmlError(error, req.requestId, e);
  }
}

async function answer(req: WebsiteRequest, deps: WebsiteDeps): Promise<S3Response> {
  const bucket = req.bucket.includes('\0') ? undefined : await deps.index.getBucket(req.bucket);
  if (bucket === undefined) throw new S3Error('NoSuchBucket', { fields: { BucketName: req.bucket } });
  const config = bucket.website;
  if (config === undefined) throw new S3Error('NoSuchWebsiteConfiguration', { fields: { BucketName: req.bucket } });
  if ('redirectAllRequestsTo' in config) {
    const to = config.redirectAllRequestsTo;
    return redirect(301, `${to.protocol ?? req.origin.protocol}://${to.hostName}/${req.incoming.url?.slice(1 + req.origin.pathPrefix.length).replace(/^\//, '') ?? ''}`);
  }
  const rule = requestRule(config.routingRules, req.key);
  if (rule !== undefined) {
    const target = redirectFor(rule, req.key, req.origin);
    return redirect(target.status, target.location);
  }
  try {
    return await readObject(req, deps, bucket, objectKeyFor(req.key, config.indexSuffix));
  } catch (e) {
    if (!(e instanceof S3Error) || (e.status !== 403 && e.status !== 404)) throw e;
    // A "folder" asked for without its slash: S3 redirects to the slashed form when its index exists.
    if (e.code === 'NoSuchKey' && req.key !== '' && !req.key.endsWith('/') && !req.key.includes('\0')) {
      const folderIndex = await deps.index.getObject(bucket.name, `${req.key}/${config.indexSuffix}`);
      if (folderIndex !== undefined && !folderIndex.deleteMarker) {
        return redirect(302, `${req.origin.pathPrefix}/${req.key.split('/').map(encodeURIComponent).join('/')}/`);
      }
    }
    return errorAnswer(req, deps, bucket, config, e);
  }
}

function parseRequest(incoming: IncomingMessage, deps: WebsiteDeps, requestId: string): WebsiteRequest {
  const method = incoming.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    throw new S3Error('MethodNotAllowed', { fields: { Method: method, ResourceType: 'OBJECT' }, headers: { allow: 'GET, HEAD' } });
  }
  const headers = headerMap(incoming);
  const target = incoming.url ?? '/';
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI');
  const host = headers.get('host') ?? '127.0.0.1';
  const protocol = 'encrypted' in incoming.socket && incoming.socket.encrypted === true ? 'https' : 'http';
  const hostBucket = bucketFromHost(host, deps.websiteDomain);
  if (hostBucket !== undefined) {
    return { incoming, method, headers, bucket: hostBucket, key: decode(rawPath.slice(1)), origin: { protocol, host, pathPrefix: '' }, requestId, now: new Date() };
  }
  const rest = rawPath.slice(1);
  const slash = rest.indexOf('/');
  const rawBucket = slash === -1 ? rest : rest.slice(0, slash);
  if (rawBucket === '') throw new S3Error('NoSuchBucket', { fields: { BucketName: '' } });
  const bucket = decode(rawBucket);
  return { incoming, method, headers, bucket, key: slash === -1 ? '' : decode(rest.slice(slash + 1)), origin: { protocol, host, pathPrefix: `/${rawBucket}` }, requestId, now: new Date() };
}

async function write(res: S3Response, method: string, outgoing: ServerResponse): Promise<void> {
  const body = res.body;
  if (method === 'HEAD' || body === undefined) {
    if (body instanceof Readable) body.destroy();
    outgoing.writeHead(res.status, res.headers);
    outgoing.end();
    return;
  }
  if (body instanceof Readable) {
    outgoing.writeHead(res.status, res.headers);
    await pipeline(body, outgoing).catch(() => outgoing.destroy());
    return;
  }
  outgoing.writeHead(res.status, { ...res.headers, 'content-length': String(Buffer.byteLength(body)) });
  outgoing.end(body);
}

export function createWebsiteListener(deps: WebsiteDeps): WebsiteListener {
  const listener = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const started = process.hrtime.bigint();
    let response: S3Response;
    let asked: WebsiteRequest | undefined;
    try {
      asked = parseRequest(incoming, deps, requestId);
      response = await answer(asked, deps);
    } catch (e) {
      if (!(e instanceof S3Error)) deps.log.error({ err: e, requestId }, 'internal error');
      response = htmlError(e instanceof S3Error ? e : new S3Error('InternalError', { cause: e }), requestId);
    }
    response.headers['x-amz-request-id'] = requestId;
    response.headers['x-amz-id-2'] = requestId;
    response.headers.server = 'sklad';
    const method = incoming.method ?? 'GET';
    try {
      await write(response, method, outgoing);
    } catch (err) {
      deps.log.error({ err, requestId }, 'website response failed');
      outgoing.destroy();
    }
    if (deps.log.isLevelEnabled('info')) {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.log.info({ requestId, method, bucket: asked?.bucket, key: asked?.key, status: response.status, ms, sourceIp: incoming.socket.remoteAddress }, 'website request');
    }
  };
  return Object.assign(listener, { claims: (host: string | undefined) => bucketFromHost(host, deps.websiteDomain) !== undefined });
}
