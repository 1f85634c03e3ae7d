// The web console on the S3 port, under /_sklad/console: the built front end, sign-in and sessions, and the API
// the front end calls. S3 and admin requests from the console are handed to the S3 dispatch and the admin API
// with the session's principal already authenticated, so they pass the same access decision, quotas, audit log
// and metrics as signed requests. No CORS header is ever sent here: only the console's own pages may call it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AccessControl, ConditionContext } from '../access/access-control.js';
import { ADMIN_PREFIX, type AdminAuditSink, type AdminEndpoint } from '../admin/api.js';
import type { AuditEvent } from '../audit/types.js';
import type { CredentialStore, Principal } from '../auth/credentials.js';
import { parseRawTarget } from '../auth/raw-target.js';
import { presignGetUrl } from '../auth/sigv4/presign.js';
import { dispatch, type FrontEndDeps, type RequestInfo } from '../http/dispatch.js';
import { errorResponse, toS3Error } from '../http/error-response.js';
import { parseRequestTarget } from '../http/request-target.js';
import type { S3Response } from '../s3/respond.js';
import type { IdentityIndex } from '../storage/identity-index.js';
import type { MetadataIndex } from '../storage/metadata-index.js';
import { explainAccess } from './access-explain.js';
import { RequestFactError, requestFacts } from './request-facts.js';
import { clearedCookie, cookieName, readCookie, sessionCookie } from './cookies.js';
import { LoginLimiter } from './login-limiter.js';
import { metricsSnapshot } from './metrics-snapshot.js';
import { CONSOLE_PREFIX } from './paths.js';
import { isSafeMethod, isSecure, sameOrigin, tokenMatches } from './request-guard.js';
import type { SessionRecord, SessionStore } from './session-store.js';
import { SECURITY_HEADERS, type ConsoleAssets } from './static-assets.js';
import { recentAuditRecords, verifyChain } from './audit-reader.js';
import type { RequestFeed } from '../observability/request-feed.js';
import type { AccessCheckRequest, AccessCheckView, AuditFilter, ConsoleErrorDocument, LoginRequest, PresignRequest, PresignView, SessionView } from './wire.js';

export { CONSOLE_PREFIX } from './paths.js';

export interface ConsoleDeps {
  frontEnd: FrontEndDeps;
  admin?: AdminEndpoint;
  credentials: CredentialStore;
  access: AccessControl;
  identity: IdentityIndex;
  index: MetadataIndex;
  audit?: AdminAuditSink;
  /** The server's metrics registry, for the status charts. */
  metrics?: Registry;
  assets: ConsoleAssets;
  region: string;
  domain?: string;
  log: Logger;
  /** The data folder, whose file system's free space the status shows. */
  dataDir?: string;
  /** The audit log's folder; absent when auditing is off. */
  auditDir?: string;
  /** Recent requests for the live view. */
  requestFeed?: RequestFeed;
  /** Console sessions, kept in the metadata database. */
  sessions: SessionStore;
  limiter?: LoginLimiter;
}

/** Which part of the server produced a console answer: app.ts logs and audits S3 requests itself. */
export interface ConsoleAnswer {
  response: S3Response;
  via: 'S3' | 'Admin' | 'Console';
  /** The S3 error code of a failed S3 request, for the audit log's classification. */
  errorCode?: string;
}

/** A signed-in session as one request sees it: the stored record, and the principal and secret of its key now. */
interface Session {
  record: SessionRecord;
  principal: Principal;
  /** The key's current secret, looked up server-side: share links are presigned with it. */
  secretKey: string;
}

export type ConsoleEndpoint = (incoming: IncomingMessage, requestId: string, info: RequestInfo) => Promise<ConsoleAnswer | undefined>;

const MAX_JSON_BYTES = 16 * 1024;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): S3Response {
  const base = { ...SECURITY_HEADERS, 'cache-control': 'no-store', ...headers };
  if (body === undefined) return { status, headers: base };
  return { status, headers: { ...base, 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function errorJson(e: ConsoleError): S3Response {
  const doc: ConsoleErrorDocument = { error: { code: e.code, message: e.message } };
  return json(e.status, doc, e.headers);
}

async function readJson(incoming: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new ConsoleError(413, 'EntityTooLarge', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ConsoleError(400, 'InvalidInput', 'The request body is not valid JSON.');
  }
}

function str(value: unknown, name: string, opts: { optional?: boolean } = {}): string {
  if (value === undefined && opts.optional) return '';
  if (typeof value !== 'string') throw new ConsoleError(400, 'InvalidInput', `${name} must be a string.`);
  return value;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Compares two secrets in time independent of where they differ (and of their lengths, by hashing first). */
function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** A secret no key has: an unknown key id is checked against it, so both failures cost the same. */
const DECOY_SECRET = createHash('sha256').update(String(Math.random())).digest('hex');

function rawTargetPath(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function createConsole(deps: ConsoleDeps): ConsoleEndpoint {
  const sessions = deps.sessions;
  const limiter = deps.limiter ?? new LoginLimiter();

  const audit = (incoming: IncomingMessage, requestId: string, event: Omit<AuditEvent, 'requestId' | 'sourceIp' | 'userAgent'>): void => {
    try {
      deps.audit?.record({ ...event, requestId, sourceIp: incoming.socket.remoteAddress, userAgent: header(incoming, 'user-agent') });
    } catch (err) {
      deps.log.error({ err, requestId }, 'console audit record failed');
    }
  };

  const sessionView = (session: Session): SessionView => ({
    user: session.principal.userId,
    accessKeyId: session.principal.accessKeyId,
    isRoot: session.principal.isRoot,
    csrfToken: session.record.csrfToken,
    expiresAt: new Date(sessions.expiresAt(session.record)).toISOString(),
    idleTimeoutSeconds: Math.floor(sessions.limits.idleMs / 1000),
    region: deps.region,
  });

  /**
   * The signed-in session, checked on every request: alive, its key and user still active (a disabled user or key,
   * or a rotated-away key, ends it), and for state-changing requests the CSRF token and origin.
   */
  const requireSession = async (incoming: IncomingMessage): Promise<{ id: string; session: Session }> => {
    const secure = isSecure(incoming);
    const id = readCookie(incoming, cookieName(secure));
    const expired = (): ConsoleError =>
      new ConsoleError(401, 'SessionExpired', 'You are not signed in, or your session has ended.', { 'set-cookie': clearedCookie(secure) });
    const record = id === undefined || id === '' ? undefined : await sessions.touch(id);
    if (id === undefined || record === undefined) throw expired();
    // Looked up on every request (cached until any gateway changes users or keys), so a disabled user or key
    // ends the session on every gateway.
    const credential = await deps.credentials.lookup(record.accessKeyId);
    if (credential === undefined || !sessions.signedInWith(record, credential.secretKey)) {
      await sessions.end(id);
      throw expired();
    }
    if (!isSafeMethod(incoming.method ?? 'GET') && !(sameOrigin(incoming) && tokenMatches(incoming, record.csrfToken))) {
      throw new ConsoleError(403, 'CsrfRejected', 'This request did not come from the console page (missing or wrong CSRF token or origin).');
    }
    return { id, session: { record, principal: credential.principal, secretKey: credential.secretKey } };
  };

  const login = async (incoming: IncomingMessage, requestId: string): Promise<S3Response> => {
    if (!sameOrigin(incoming)) throw new ConsoleError(403, 'CsrfRejected', 'Sign-in is accepted from the console page only.');
    const body = (await readJson(incoming)) as Partial<LoginRequest> | null;
    const accessKeyId = str(body?.accessKeyId, 'accessKeyId').trim();
    const secretKey = str(body?.secretKey, 'secretKey');
    const ip = incoming.socket.remoteAddress ?? '';
    const wait = limiter.retryAfter(ip, accessKeyId);
    if (wait > 0) {
      audit(incoming, requestId, { action: 'console:Login', principal: 'anonymous', result: 'failure', status: 429, errorCode: 'TooManyAttempts', details: { accessKeyId } });
      throw new ConsoleError(429, 'TooManyAttempts', 'Too many failed sign-in attempts. Try again later.', { 'retry-after': String(wait) });
    }
    const credential = accessKeyId === '' ? undefined : await deps.credentials.lookup(accessKeyId);
    const matches = secretsEqual(secretKey, credential?.secretKey ?? DECOY_SECRET);
    if (credential === undefined || !matches) {
      limiter.failed(ip, accessKeyId);
      audit(incoming, requestId, { action: 'console:Login', principal: 'anonymous', result: 'failure', status: 401, errorCode: 'InvalidCredentials', details: { accessKeyId } });
      // The same answer whether the key is unknown, inactive or the secret wrong.
      throw new ConsoleError(401, 'InvalidCredentials', 'The access key or the secret key is not correct.');
    }
    limiter.succeeded(accessKeyId);
    const secure = isSecure(incoming);
    const previous = readCookie(incoming, cookieName(secure));
    if (previous) await sessions.end(previous);
    const { id, session: record } = await sessions.create(credential.principal.accessKeyId, credential.secretKey);
    const session: Session = { record, principal: credential.principal, secretKey: credential.secretKey };
    audit(incoming, requestId, {
      action: 'console:Login',
      principal: { user: credential.principal.userId, accessKeyId },
      result: 'success',
      status: 200,
    });
    return json(200, sessionView(session), { 'set-cookie': sessionCookie(secure, id, Math.floor(sessions.limits.absoluteMs / 1000)) });
  };

  const logout = async (incoming: IncomingMessage, requestId: string): Promise<S3Response> => {
    const { id, session } = await requireSession(incoming);
    await sessions.end(id);
    audit(incoming, requestId, {
      action: 'console:Logout',
      principal: { user: session.principal.userId, accessKeyId: session.principal.accessKeyId },
      result: 'success',
      status: 204,
    });
    return json(204, undefined, { 'set-cookie': clearedCookie(isSecure(incoming)) });
  };

  const presign = async (incoming: IncomingMessage, session: Session): Promise<S3Response> => {
    const body = (await readJson(incoming)) as Partial<PresignRequest> | null;
    const bucket = str(body?.bucket, 'bucket');
    const key = str(body?.key, 'key');
    const seconds = body?.expiresSeconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
      throw new ConsoleError(400, 'InvalidInput', `expiresSeconds must be a whole number from 1 to ${MAX_PRESIGN_SECONDS}.`);
    }
    const record = await deps.index.getBucket(bucket);
    if (record === undefined) throw new ConsoleError(404, 'NoSuchBucket', 'The bucket does not exist.');
    // A link the signer may not use would only fail later: refuse it now, plainly.
    const decision = await deps.access.decide(session.principal, 's3:GetObject', record, bucket, key, {});
    if (!decision.allowed) throw new ConsoleError(403, 'AccessDenied', 'You are not allowed to read this object, so you cannot share it.');
    const host = header(incoming, 'host') ?? '127.0.0.1';
    const now = new Date();
    const url = presignGetUrl({
      origin: `${isSecure(incoming) ? 'https' : 'http'}://${host}`,
      bucket,
      key,
      accessKeyId: session.principal.accessKeyId,
      secretKey: session.secretKey,
      region: deps.region,
      expiresSeconds: seconds,
      now,
    });
    const view: PresignView = { url, expiresAt: new Date(now.getTime() + seconds * 1000).toISOString() };
    return json(200, view);
  };

  const accessCheck = async (incoming: IncomingMessage, session: Session): Promise<S3Response> => {
    const body = (await readJson(incoming)) as Partial<AccessCheckRequest> | null;
    const q: AccessCheckRequest = {
      user: str(body?.user, 'user'),
      action: str(body?.action, 'action'),
      bucket: str(body?.bucket, 'bucket', { optional: true }),
      key: str(body?.key, 'key', { optional: true }),
    };
    const self = !session.principal.isRoot && session.principal.userId === q.user;
    if (!self && !(await deps.access.allowsAdmin(session.principal, 'admin:GetUser', `arn:aws:iam::sklad:user/${q.user}`))) {
      throw new ConsoleError(403, 'AccessDenied', `You are not allowed to look at user ${q.user}.`);
    }
    let facts: ConditionContext;
    try {
      facts = requestFacts(body?.facts, new Date());
    } catch (e) {
      if (e instanceof RequestFactError) throw new ConsoleError(400, 'InvalidInput', e.message);
      throw e;
    }
    const view: AccessCheckView | undefined = await explainAccess(q, deps, facts);
    if (view === undefined) throw new ConsoleError(404, 'NoSuchEntity', `There is no user ${q.user}.`);
    return json(200, view);
  };

  const metrics = async (session: Session): Promise<S3Response> => {
    if (!(await deps.access.allowsAdmin(session.principal, 'admin:GetInfo', '*'))) {
      throw new ConsoleError(403, 'AccessDenied', 'You are not allowed to see the server status.');
    }
    if (deps.metrics === undefined) throw new ConsoleError(404, 'NotFound', 'This server keeps no metrics.');
    return json(200, await metricsSnapshot(deps.metrics, deps.dataDir));
  };

  const auditLog = async (session: Session, query: string): Promise<S3Response> => {
    if (!(await deps.access.allowsAdmin(session.principal, 'admin:GetAuditLog', '*'))) {
      throw new ConsoleError(403, 'AccessDenied', 'You are not allowed to read the audit log.');
    }
    if (deps.auditDir === undefined) throw new ConsoleError(404, 'NotFound', 'The audit log is switched off on this server.');
    const q = new URLSearchParams(query.replace(/^\?/, ''));
    const result = q.get('result');
    const filter: AuditFilter = {
      action: q.get('action') || undefined,
      user: q.get('user') || undefined,
      bucket: q.get('bucket') || undefined,
      result: result === 'success' || result === 'failure' ? result : undefined,
    };
    const limit = Math.min(500, Math.max(1, Number(q.get('limit')) || 100));
    return json(200, { records: await recentAuditRecords(deps.auditDir, filter, limit) });
  };

  const auditChain = async (session: Session): Promise<S3Response> => {
    if (!(await deps.access.allowsAdmin(session.principal, 'admin:GetAuditLog', '*'))) {
      throw new ConsoleError(403, 'AccessDenied', 'You are not allowed to read the audit log.');
    }
    if (deps.auditDir === undefined) throw new ConsoleError(404, 'NotFound', 'The audit log is switched off on this server.');
    return json(200, await verifyChain(deps.auditDir));
  };

  const requests = async (session: Session, query: string): Promise<S3Response> => {
    if (!(await deps.access.allowsAdmin(session.principal, 'admin:GetInfo', '*'))) {
      throw new ConsoleError(403, 'AccessDenied', 'You are not allowed to watch the server’s requests.');
    }
    const after = Number(new URLSearchParams(query.replace(/^\?/, '')).get('after')) || 0;
    return json(200, { requests: deps.requestFeed?.after(after) ?? [] });
  };

  /** Hands the request to S3 dispatch as the session's principal; S3 errors propagate to app.ts as for any S3 request. */
  const s3 = async (incoming: IncomingMessage, requestId: string, info: RequestInfo, rest: string, query: string, principal: Principal): Promise<S3Response> => {
    incoming.url = `/${rest}${query}`;
    const res = await dispatch(incoming, requestId, deps.frontEnd, info, principal);
    // Bytes from a bucket never render on the console's origin: downloaded, not displayed, and sandboxed if opened.
    res.headers['content-security-policy'] = "sandbox; default-src 'none'";
    res.headers['x-content-type-options'] = 'nosniff';
    res.headers['cache-control'] ??= 'no-store';
    if (info.operation?.name === 'GetObject') res.headers['content-disposition'] = 'attachment';
    return res;
  };

  const api = async (incoming: IncomingMessage, requestId: string, info: RequestInfo, path: string, query: string): Promise<ConsoleAnswer> => {
    const method = incoming.method ?? 'GET';
    if (path === '/login') {
      if (method !== 'POST') throw new ConsoleError(405, 'MethodNotAllowed', 'Use POST.', { allow: 'POST' });
      return { response: await login(incoming, requestId), via: 'Console' };
    }
    if (path === '/logout' && method === 'POST') return { response: await logout(incoming, requestId), via: 'Console' };
    const { session } = await requireSession(incoming);
    if (path === '/session' && method === 'GET') return { response: json(200, sessionView(session)), via: 'Console' };
    if (path === '/presign' && method === 'POST') return { response: await presign(incoming, session), via: 'Console' };
    if (path === '/access-check' && method === 'POST') return { response: await accessCheck(incoming, session), via: 'Console' };
    if (path === '/metrics' && method === 'GET') return { response: await metrics(session), via: 'Console' };
    if (path === '/audit' && method === 'GET') return { response: await auditLog(session, query), via: 'Console' };
    if (path === '/audit/verify' && method === 'GET') return { response: await auditChain(session), via: 'Console' };
    if (path === '/requests' && method === 'GET') return { response: await requests(session, query), via: 'Console' };
    if (path.startsWith('/s3/')) {
      try {
        return { response: await s3(incoming, requestId, info, path.slice('/s3/'.length), query, session.principal), via: 'S3' };
      } catch (error) {
        // Rendered here, not by app.ts, so the answer is still known to come from a console path (no CORS).
        const failure = toS3Error(error, deps.log, requestId);
        const res = errorResponse(failure, method, rawTargetPath(incoming.url ?? '/'), requestId);
        Object.assign(res.headers, { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
        return { response: res, via: 'S3', errorCode: failure.code };
      }
    }
    if (path.startsWith('/admin/') && deps.admin !== undefined) {
      incoming.url = `${ADMIN_PREFIX}${path.slice('/admin'.length)}${query}`;
      const res = await deps.admin(incoming, requestId, info, session.principal);
      if (res === undefined) throw new ConsoleError(404, 'NotFound', 'No such console endpoint.');
      Object.assign(res.headers, SECURITY_HEADERS);
      return { response: res, via: 'Admin' };
    }
    throw new ConsoleError(404, 'NotFound', 'No such console endpoint.');
  };

  return async (incoming, requestId, info) => {
    const url = incoming.url ?? '/';
    if (!url.startsWith(CONSOLE_PREFIX)) return undefined;
    const target = parseRawTarget(url);
    const rawPath = target.rawPath;
    if (rawPath !== CONSOLE_PREFIX && !rawPath.startsWith(`${CONSOLE_PREFIX}/`)) return undefined;
    // With a virtual-hosted bucket in the Host header, the path is an object key of that bucket: S3's business.
    if (deps.domain !== undefined) {
      try {
        if (parseRequestTarget(url, incoming.headers.host, deps.domain).virtualHostBucket !== undefined) return undefined;
      } catch {
        return undefined;
      }
    }
    const sub = rawPath.slice(CONSOLE_PREFIX.length);
    const method = incoming.method ?? 'GET';
    try {
      if (sub === '') return { response: { status: 308, headers: { ...SECURITY_HEADERS, location: `${CONSOLE_PREFIX}/` } }, via: 'Console' };
      if (sub.startsWith('/api/')) {
        const q = url.indexOf('?');
        return await api(incoming, requestId, info, sub.slice('/api'.length), q === -1 ? '' : url.slice(q));
      }
      if (!isSafeMethod(method)) throw new ConsoleError(405, 'MethodNotAllowed', 'The console pages are read only.', { allow: 'GET, HEAD' });
      return { response: deps.assets.answer(sub), via: 'Console' };
    } catch (error) {
      if (error instanceof ConsoleError) return { response: errorJson(error), via: 'Console' };
      throw error;
    }
  };
}
