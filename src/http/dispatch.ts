// One request through the S3 front end: target → operation → authentication → bucket and access → handler.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { authenticate, type AuthResult } from '../auth/authenticate.js';
import { ANONYMOUS, type CredentialStore, type Principal } from '../auth/credentials.js';
import { conditionContext } from './condition-context.js';
import type { AccessControl, ConditionContext } from '../access/access-control.js';
import { verifiedBody, type VerifiedBody } from '../auth/sigv4/payload.js';
import { S3Error } from '../errors/s3-error.js';
import type { S3Context, ServerSettings, ServerStats } from '../s3/context.js';
import type { S3Response } from '../s3/respond.js';
import type { Keyring } from '../crypto/keyring.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { MetadataIndex } from '../storage/metadata-index.js';
import { actionOf, resolveOperation, type Operation, type TargetLevel } from '../s3/operations.js';
import { refuseNulNames } from '../s3/request-params.js';
import { parseRequestTarget } from './request-target.js';
import { assertSupportedTransferEncoding } from './transfer-encoding.js';
import { readSmallBody } from './small-body.js';

export interface FrontEndDeps {
  index: MetadataIndex;
  blobs: BlobStore;
  keyring: Keyring;
  credentials: CredentialStore;
  access: AccessControl;
  settings: ServerSettings & { domain?: string };
  stats: ServerStats;
  log: Logger;
}

/** What dispatch learned about a request, filled in as it goes; read by the request and audit logs. */
export interface RequestInfo {
  operation?: Operation;
  bucket?: string;
  key?: string;
  principal?: Principal;
  /** The handler's account of what it did (S3Response.outcome), for the audit record. */
  outcome?: S3Response['outcome'];
}

const knownMethods = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);

export function headerMap(incoming: IncomingMessage): Map<string, string> {
  return readHeaders(incoming).headers;
}

const NONE_REPEATED: ReadonlySet<string> = new Set();

/**
 * The request's headers by lower-case name (repeated ones joined with ','), and the names sent more than once,
 * in one pass over the raw headers. The set of repeated names is only built when there is one.
 */
export function readHeaders(incoming: IncomingMessage): { headers: Map<string, string>; repeated: ReadonlySet<string> } {
  const headers = new Map<string, string>();
  let repeated: Set<string> | undefined;
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const seen = headers.get(name);
    if (seen === undefined) {
      headers.set(name, value);
    } else {
      headers.set(name, `${seen},${value}`);
      (repeated ??= new Set()).add(name);
    }
  }
  return { headers, repeated: repeated ?? NONE_REPEATED };
}

function declaredLength(headers: Map<string, string>): number | undefined {
  const value = headers.get('x-amz-decoded-content-length') ?? headers.get('content-length');
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new S3Error('InvalidArgument', { message: 'Invalid content length' });
  return Number(value);
}

function isAwsChunked(headers: Map<string, string>): boolean {
  const encoding = headers.get('content-encoding');
  return encoding !== undefined && encoding.split(',').some((e) => e.trim().toLowerCase() === 'aws-chunked');
}

/** Runs the S3 operation a request asks for. Throws S3Error (or anything else, which becomes InternalError). */
export async function dispatch(
  incoming: IncomingMessage,
  requestId: string,
  deps: FrontEndDeps,
  info: RequestInfo,
  /**
   * A principal the caller has already authenticated (the web console's session): no signature is checked, the
   * body is taken as sent, and the path is always path-style. Set only by in-process callers, never from a header.
   */
  preauthenticated?: Principal,
): Promise<S3Response> {
  const method = incoming.method ?? 'GET';
  const { headers, repeated } = readHeaders(incoming);
  assertSupportedTransferEncoding(headers);
  const target = preauthenticated
    ? parseRequestTarget(incoming.url ?? '/', undefined, undefined)
    : parseRequestTarget(incoming.url ?? '/', headers.get('host'), deps.settings.domain);
  const level: TargetLevel = target.bucket === undefined ? 'service' : target.key === undefined ? 'bucket' : 'object';
  const operation = resolveOperation({ method, level, query: target.query, headers });
  if (operation === undefined) {
    throw new S3Error(knownMethods.has(method) ? 'NotImplemented' : 'MethodNotAllowed', {
      fields: { Method: method, ResourceType: level.toUpperCase() },
    });
  }
  info.operation = operation;
  info.bucket = target.bucket;
  info.key = target.key;

  const now = new Date();
  const { settings } = deps;
  const auth: AuthResult = preauthenticated
    ? { principal: preauthenticated, payload: { kind: 'unsigned' } }
    : await authenticate(
        { method, rawTarget: incoming.url ?? '/', headers, repeatedHeaders: repeated, now },
        {
          region: settings.regionConfigured ? settings.region : undefined,
          maxPresignSeconds: settings.maxPresignSeconds,
          credentials: deps.credentials,
          virtualHostBucket: target.virtualHostBucket,
        },
      );
  const principal = auth.principal ?? ANONYMOUS;
  info.principal = principal;
  refuseNulNames(target.key, target.query);
  const handler = operation.handler;
  if (handler === undefined) {
    throw new S3Error('NotImplemented', { message: `${operation.name} is not implemented by this server.` });
  }

  // Condition keys are gathered only when a policy question is asked (never for root).
  let gathered: ConditionContext | undefined;
  const conditions = (): ConditionContext => (gathered ??= conditionContext(incoming, headers, target.query, now, auth, operation.name));
  const needsBucket = level !== 'service' && operation.bucketMayBeAbsent !== true;
  // No bucket name holds U+0000, and PostgreSQL could not even be asked for one.
  const bucketRecord = needsBucket && !target.bucket!.includes('\0') ? await deps.index.getBucket(target.bucket!) : undefined;
  if (needsBucket && bucketRecord === undefined) {
    throw new S3Error('NoSuchBucket', { fields: { BucketName: target.bucket! } });
  }
  const action = actionOf(operation, target.query);
  if (operation.authorizedBy !== 'handler') {
    const decision = await deps.access.decide(principal, action, bucketRecord, target.bucket ?? '', target.key, conditions);
    if (!decision.allowed) throw new S3Error('AccessDenied');
  }
  // x-amz-expected-bucket-owner: "If the bucket is owned by a different account, the request fails with the HTTP
  // status code 403 Forbidden (access denied)". The id compared is the one Owner/ID reports: the owner's name.
  // Checked after authorization, so it tells nobody who owns a bucket they may not use.
  const expectedOwner = headers.get('x-amz-expected-bucket-owner');
  if (expectedOwner !== undefined && bucketRecord !== undefined && expectedOwner !== bucketRecord.owner) {
    throw new S3Error('AccessDenied');
  }
  let verified: VerifiedBody | undefined;
  const openBody = (): VerifiedBody => {
    if (verified === undefined) {
      const decoded = headers.get('x-amz-decoded-content-length');
      verified = verifiedBody(incoming as Readable, auth.payload, {
        contentEncodingChunked: isAwsChunked(headers),
        decodedLength: decoded === undefined ? undefined : Number(decoded),
      });
    }
    return verified;
  };
  const ctx: S3Context = {
    op: operation.name,
    action,
    requestId,
    bucket: target.bucket ?? '',
    key: target.key ?? '',
    query: target.query,
    headers,
    principal,
    bucketRecord,
    access: deps.access.checkerFor(principal, conditions),
    credentials: deps.credentials,
    authenticatedAs: (signer, key) => {
      info.principal = signer;
      info.key = key;
      return deps.access.checkerFor(signer, conditions);
    },
    contentLength: declaredLength(headers),
    body: () => openBody().body,
    trailers: () => verified?.trailers() ?? new Map(),
    readSmallBody: (limit = deps.settings.maxXmlBodyBytes) => readSmallBody(openBody().body, limit),
    index: deps.index,
    blobs: deps.blobs,
    keyring: deps.keyring,
    secure: 'encrypted' in incoming.socket && incoming.socket.encrypted === true,
    settings: deps.settings,
    region: settings.regionConfigured ? settings.region : (auth.signedRegion ?? settings.region),
    stats: deps.stats,
    log: deps.log,
    now,
  };
  const response = await handler(ctx);
  info.outcome = response.outcome;
  return response;
}
