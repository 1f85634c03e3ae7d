// The JSON documents between the console's front end and its API. Type-only: the front end imports it too,
// so both ends agree at compile time.
import type { RequestSummary } from '../audit/request-summary.js';

export interface ConsoleErrorDocument {
  error: { code: string; message: string };
}

export interface LoginRequest {
  accessKeyId: string;
  secretKey: string;
}

/** Who is signed in. The CSRF token is sent back in `x-sklad-csrf` on every state-changing request. */
export interface SessionView {
  user: string;
  accessKeyId: string;
  isRoot: boolean;
  csrfToken: string;
  /** ISO 8601: the absolute end of the session, whatever the activity. */
  expiresAt: string;
  idleTimeoutSeconds: number;
  /** The region share links are signed for. */
  region: string;
}

export interface PresignRequest {
  bucket: string;
  key: string;
  /** 1 second to 7 days (604800), as SigV4 presigning allows. */
  expiresSeconds: number;
}

export interface PresignView {
  url: string;
  expiresAt: string;
}

export interface AccessCheckRequest {
  user: string;
  action: string;
  bucket: string;
  key?: string;
  /**
   * Request facts for policies' conditions (aws:SourceIp, aws:SecureTransport, s3:prefix, s3:ExistingObjectTag/<k>,
   * …); absent facts are absent from the question, as from a request that does not carry them.
   */
  facts?: Record<string, string>;
}

export type DecisionReason = 'root' | 'owner' | 'explicit-deny' | 'identity-policy' | 'bucket-policy' | 'acl' | 'implicit-deny';

export interface AccessCheckView {
  allowed: boolean;
  reason: DecisionReason;
  /** The resource ARN the question was asked about. */
  resource: string;
  /** The request facts the question was asked with (the current time added). */
  facts: Record<string, string>;
  /** The object exists, so its own tags answered s3:ExistingObjectTag (supplied ones were not used). */
  objectTagsUsed: boolean;
  /** The statement that decided, when a policy statement did. */
  statement?: { policy: 'identity' | 'bucket'; index: number; sid?: string; document: unknown };
}

/** Cumulative counters since the server started; the front end turns two snapshots into rates. */
export interface MetricsSnapshot {
  /** Milliseconds since the epoch, when the snapshot was taken. */
  at: number;
  requests: number;
  errors4xx: number;
  errors5xx: number;
  latencySecondsSum: number;
  latencyCount: number;
  bytesIn: number;
  bytesOut: number;
  inFlight: number;
  integrityFailures: number;
  scrubRunning?: boolean;
  scrubLastFinishedAt?: string;
  scrubLastObjects?: number;
  scrubLastDamaged?: number;
  /** The file system holding the data folder. */
  disk?: { totalBytes: number; freeBytes: number };
}

export interface AuditFilter {
  action?: string;
  user?: string;
  bucket?: string;
  result?: 'success' | 'failure';
}

export type { AuditRecord } from '../audit/types.js';

/** `sklad audit verify` over every audit file, as the console shows it (file names only, not server paths). */
export interface AuditChainView {
  ok: boolean;
  files: number;
  records: number;
  lastSeq?: number;
  lastHash?: string;
  warnings: { file: string; line: number; seq?: number; message: string }[];
  error?: { file: string; line: number; seq?: number; message: string };
}

/** One finished request in the live view (the request log's summary, which carries no secret). */
export type RequestView = { seq: number; at: string } & Pick<
  RequestSummary,
  'requestId' | 'op' | 'method' | 'bucket' | 'key' | 'status' | 'errorCode' | 'bytesIn' | 'bytesOut' | 'ms' | 'principal' | 'sourceIp'
>;
