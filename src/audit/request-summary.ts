// What one finished request looks like to the request log and the audit log. Built from the socket, the
// request headers and what dispatch learned; carries no secret: never the Authorization header, a
// signature, a presigned URL's query, or an SSE-C key.
import type { IncomingMessage } from 'node:http';
import type { RequestInfo } from '../http/dispatch.js';
import { isAudited } from './classify.js';
import type { AuditEvent, AuditPrincipal, JsonValue } from './types.js';

export interface RequestSummary {
  requestId: string;
  /** What the handler reported it did (audit only; not written to the request log). */
  outcome?: { [key: string]: JsonValue };
  /** S3 operation, `Operator` for health/metrics, undefined when the request matched no operation. */
  op?: string;
  /** The operation only reads (health and metrics included); undefined when no operation matched. */
  readOnly?: boolean;
  method: string;
  bucket?: string;
  key?: string;
  status: number;
  errorCode?: string;
  bytesIn: number;
  bytesOut: number;
  ms: number;
  principal: AuditPrincipal;
  /** The access key id a refused request claimed (not a secret), to spot guessing or a revoked key still in use. */
  claimedAccessKeyId?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The whole response reached the client. */
  complete: boolean;
}

export interface Outcome {
  requestId: string;
  op?: string;
  readOnly?: boolean;
  method: string;
  status: number;
  errorCode?: string;
  bytesIn: number;
  bytesOut: number;
  ms: number;
  complete: boolean;
}

const MAX_AGENT = 512;

function sourceIp(incoming: IncomingMessage): string | undefined {
  const address = incoming.socket?.remoteAddress;
  // IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; log the address people recognise.
  return address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The access key id named by the request's signature (header or presigned query), if any. */
export function claimedAccessKeyId(incoming: IncomingMessage): string | undefined {
  const auth = incoming.headers.authorization ?? '';
  let id = /Credential=([^/,\s]+)/.exec(auth)?.[1] ?? /^AWS ([^:\s]+):/.exec(auth)?.[1];
  if (id === undefined) {
    const q = (incoming.url ?? '').indexOf('?');
    if (q !== -1) {
      const query = new URLSearchParams((incoming.url ?? '').slice(q + 1));
      id = query.get('X-Amz-Credential')?.split('/')[0] ?? query.get('AWSAccessKeyId') ?? undefined;
    }
  }
  // Whatever the client sent is only logged when it looks like a key id, so nothing else leaks through it.
  return id !== undefined && /^[A-Za-z0-9+=_.-]{1,128}$/.test(id) ? id : undefined;
}

export function summarizeRequest(incoming: IncomingMessage, info: RequestInfo, outcome: Outcome): RequestSummary {
  // Unsigned requests carry an anonymous principal; refused signatures never got one. Both are "anonymous".
  const p = info.principal;
  const principal: AuditPrincipal = p && !p.anonymous ? { user: p.userId, accessKeyId: p.accessKeyId } : 'anonymous';
  const agent = incoming.headers['user-agent'];
  return {
    requestId: outcome.requestId,
    outcome: info.outcome,
    op: outcome.op,
    readOnly: outcome.readOnly,
    method: outcome.method,
    bucket: info.bucket,
    key: info.key,
    status: outcome.status,
    errorCode: outcome.errorCode,
    bytesIn: outcome.bytesIn,
    bytesOut: outcome.bytesOut,
    ms: Math.round(outcome.ms * 1000) / 1000,
    principal,
    claimedAccessKeyId: principal === 'anonymous' ? claimedAccessKeyId(incoming) : undefined,
    sourceIp: sourceIp(incoming),
    userAgent: agent === undefined ? undefined : agent.slice(0, MAX_AGENT),
    complete: outcome.complete,
  };
}

/** The audit event for a request, or undefined for requests the audit log does not keep (reads). */
export function auditEventFor(s: RequestSummary): AuditEvent | undefined {
  if (!isAudited(s.readOnly, s.status, s.errorCode)) return undefined;
  const details: NonNullable<AuditEvent['details']> = { method: s.method };
  if (s.bytesIn > 0) details.bytesIn = s.bytesIn;
  if (s.claimedAccessKeyId !== undefined) details.claimedAccessKeyId = s.claimedAccessKeyId;
  if (s.outcome !== undefined) Object.assign(details, s.outcome);
  return {
    requestId: s.requestId,
    principal: s.principal,
    sourceIp: s.sourceIp,
    userAgent: s.userAgent,
    action: s.op ?? 'Unknown',
    bucket: s.bucket,
    key: s.key,
    status: s.status,
    result: s.status < 400 ? 'success' : 'failure',
    errorCode: s.errorCode,
    details,
  };
}
