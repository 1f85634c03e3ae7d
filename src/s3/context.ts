// The typed context every S3 handler receives: what was asked, by whom, and the services to answer it.
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { AccessCheck } from '../access/access-control.js';
import type { CredentialStore, Principal } from '../auth/credentials.js';
import type { Keyring } from '../crypto/keyring.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { BucketRecord, MetadataIndex } from '../storage/metadata-index.js';
import type { OperationName } from '../s3/operations.js';

export interface ServerSettings {
  /** The configured region, else DEFAULT_REGION: where buckets are created when a request names no location. */
  region: string;
  /** Set when the operator named the region: signatures for any other region are refused. */
  regionConfigured: boolean;
  /** Longest presigned-URL lifetime in seconds. */
  maxPresignSeconds: number;
  /** Longest XML request body read into memory. */
  maxXmlBodyBytes: number;
  /** Check whole-object reads against the recorded digests while streaming. */
  verifyReads: boolean;
  /** SSE-S3 for every new object that asks for no encryption (and no bucket default applies). */
  encryptAll: boolean;
  /** Accept SSE-C keys on connections that are not TLS. */
  allowInsecureSseC: boolean;
  /** How long a lifecycle "day" is (`--lifecycle-day-seconds`), in milliseconds. */
  lifecycleDayMs: number;
  /** Open multipart uploads a bucket may have at once; undefined: no limit. */
  maxOpenUploadsPerBucket?: number;
}

/** Counters of notable events, read by operators' tooling. */
export interface ServerStats {
  integrityFailures: number;
}

export interface S3Context {
  op: OperationName;
  /** The IAM action the request is authorized as (the operation's, or its versioned variant). */
  action: string;
  requestId: string;
  /** Bucket name from the request (may not exist; see `bucketRecord`). */
  bucket: string;
  key: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Map<string, string>;
  principal: Principal;
  /** The bucket's record, loaded by dispatch for bucket- and object-level operations on existing buckets. */
  bucketRecord?: BucketRecord;
  /** Access checks on further resources (copy sources, each key of DeleteObjects) for the same principal. */
  access: AccessCheck;
  /** Access keys and secrets, for a handler that authenticates from the body (PostObject's form fields). */
  credentials: CredentialStore;
  /**
   * Records that the handler authenticated the request as `principal`, for the object `key` its body names
   * (PostObject's form), for the request and audit logs; gives that principal's access checks.
   */
  authenticatedAs(principal: Principal, key: string): AccessCheck;
  /** Declared body length (decoded length for aws-chunked uploads), when known. */
  contentLength?: number;
  /** The request body with the payload signature being verified as it streams. Read at most once. */
  body(): Readable;
  /** Trailing headers of an aws-chunked body; complete once the body has ended. */
  trailers(): Map<string, string>;
  /** Reads a small (XML) body fully, refusing more than `limit` bytes. */
  readSmallBody(limit?: number): Promise<Buffer>;
  index: MetadataIndex;
  blobs: BlobStore;
  /** Master keys that wrap SSE-S3 data keys. */
  keyring: Keyring;
  /** The request arrived over TLS. */
  secure: boolean;
  settings: ServerSettings;
  /**
   * The region this request addresses: the configured one, else the region it was signed with (SigV4), else
   * `settings.region`. A CreateBucket location constraint must name it.
   */
  region: string;
  stats: ServerStats;
  log: Logger;
  now: Date;
}

export type Handler = (ctx: S3Context) => Promise<import('./respond.js').S3Response>;
