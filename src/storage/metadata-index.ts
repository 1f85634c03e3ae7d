// The metadata index: buckets, objects, uploads. Every method is one whole intent, atomic in its
// implementation, and async so a networked database can implement the same interface later.
// Methods that drop references to blobs return those blob ids; the caller deletes them after the commit.
import type { Quota, Usage } from './identity-index.js';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
  /** base64 value as S3 returns it; composite values carry a "-N" suffix. */
  value: string;
}

/**
 * A bucket's settings: what sub-resource operations (PutBucketPolicy, PutBucketAcl, …) and the admin API change,
 * all through `MetadataIndex.patchBucket`. A new bucket setting is one more field here (and its column).
 */
export interface BucketSettings {
  owner: string;
  /** Canned ACL given at creation ('private' unless told otherwise), or the JSON of explicit grants. */
  acl: string;
  versioning: 'Unversioned' | 'Enabled' | 'Suspended';
  /** Default encryption of new objects (PutBucketEncryption); absent when none is configured. */
  defaultEncryption?: DefaultEncryption;
  /** Bucket policy JSON as the owner put it (validated before it is stored). */
  policy?: string;
  publicAccessBlock?: PublicAccessBlockConfig;
  quota?: Quota;
  /** The bucket's tag set (PutBucketTagging); absent when none was put. */
  tags?: Tag[];
  /**
   * Object Lock was enabled at creation (x-amz-bucket-object-lock-enabled): versioning stays Enabled for good
   * and versions may carry retention and legal holds. Never switched off.
   */
  objectLockEnabled?: boolean;
  /** The default retention applied to new versions (PutObjectLockConfiguration); absent when none. */
  defaultRetention?: DefaultRetention;
  /** Lifecycle rules (PutBucketLifecycleConfiguration), validated before they are stored. */
  lifecycle?: LifecycleConfiguration;
  /** CORS rules in the order they were put (PutBucketCors); absent when none were put. */
  cors?: CorsRule[];
  /** Static website configuration (PutBucketWebsite); absent when none was put. */
  website?: WebsiteConfig;
  /**
   * S3 Object Ownership (PutBucketOwnershipControls). New buckets get BucketOwnerEnforced unless CreateBucket
   * asks otherwise; absent only after DeleteBucketOwnershipControls, when S3 behaves as ObjectWriter.
   */
  objectOwnership?: ObjectOwnership;
}

export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

/** A bucket's default retention: new versions are retained for this long from their creation. */
export interface DefaultRetention {
  mode: RetentionMode;
  days?: number;
  years?: number;
}

/** Retention of one object version: it cannot be deleted or overwritten before `retainUntil`. */
export interface Retention {
  mode: RetentionMode;
  retainUntil: Date;
}

/**
 * Which objects a lifecycle rule applies to: all of its conditions hold (an empty filter matches everything).
 * Sizes are exclusive bounds, as S3 names them.
 */
export interface LifecycleFilter {
  prefix?: string;
  tags?: Tag[];
  objectSizeGreaterThan?: number;
  objectSizeLessThan?: number;
}

/** One lifecycle rule, as S3 defines it less the transitions (one storage tier: they are refused). */
export interface LifecycleRule {
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  /**
   * How the rule named its objects, so GetBucketLifecycleConfiguration answers in the same form: the old
   * rule-level `Prefix`, or a `Filter` holding one predicate or an `And`.
   */
  form: 'prefix' | 'filter' | 'and';
  /** Current objects expire this many days after their creation (rounded up to the next day boundary)… */
  expirationDays?: number;
  /** …or at this midnight (UTC). */
  expirationDate?: Date;
  /** A delete marker with no noncurrent versions left is removed. */
  expiredObjectDeleteMarker?: boolean;
  noncurrentDays?: number;
  /** Noncurrent versions kept whatever their age, newest first. */
  newerNoncurrentVersions?: number;
  abortIncompleteMultipartUploadDays?: number;
}

export interface LifecycleConfiguration {
  rules: LifecycleRule[];
}

/** A current object as the lifecycle worker saw it: removed only if it is still exactly this version. */
export interface ObjectVersionRef {
  key: string;
  versionId: string;
  etag: string;
  lastModified: Date;
}

/**
 * One lifecycle action, applied only if the key is still as the worker saw it:
 * - `current`: the current version, if it is still exactly `object` — removed for good (unversioned bucket,
 *   unless locked), or hidden behind `deleteMarker`, which becomes current (versioned bucket);
 * - `noncurrent`: that noncurrent version, if it still is one and is not locked, removed for good;
 * - `delete-marker`: that delete marker, if it is still current and no other version of its key is left.
 */
export type LifecycleExpiration =
  | { kind: 'current'; object: ObjectVersionRef; deleteMarker?: ObjectRecord }
  | { kind: 'noncurrent'; key: string; versionId: string }
  | { kind: 'delete-marker'; key: string; versionId: string };

/** How far the lifecycle worker has come through a bucket's objects in the pass under way. */
export interface LifecycleCursor {
  /** The last key handled; the pass resumes after it. */
  afterKey: string;
  /** When the pass began. */
  passStartedAt: Date;
}

/** Which incomplete uploads an expiry may abort: one bucket's uploads under a prefix, at most `limit` at a time. */
export interface UploadExpiryScope {
  bucket: string;
  prefix: string;
  limit: number;
}

/** Who owns the objects written to a bucket, and whether ACLs take part in access decisions. */
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

/** One CORSRule: which cross-origin requests a browser may make and what it may read of the answers. */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** Where a website redirect sends the browser; absent parts keep the request's own. */
export interface WebsiteRedirect {
  hostName?: string;
  protocol?: 'http' | 'https';
  replaceKeyPrefixWith?: string;
  replaceKeyWith?: string;
  httpRedirectCode?: string;
}

export interface WebsiteRoutingRule {
  condition?: { keyPrefixEquals?: string; httpErrorCodeReturnedEquals?: string };
  redirect: WebsiteRedirect;
}

/** PutBucketWebsite: either every request redirects elsewhere, or an index document (+ error document, rules). */
export type WebsiteConfig =
  | { redirectAllRequestsTo: { hostName: string; protocol?: 'http' | 'https' } }
  | { indexSuffix: string; errorKey?: string; routingRules: WebsiteRoutingRule[] };

export interface BucketRecord extends BucketSettings {
  name: string;
  region: string;
  createdAt: Date;
}

/** Settings to change: a value sets it, null removes an optional setting, an absent field stays as it is. */
export type BucketPatch = {
  [K in keyof BucketSettings]?: undefined extends BucketSettings[K] ? Exclude<BucketSettings[K], undefined> | null : BucketSettings[K];
};

/** PutPublicAccessBlock's four switches; absent ones are false. */
export interface PublicAccessBlockConfig {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** The bucket default encryptions sklad implements: SSE-S3. */
export type DefaultEncryption = 'AES256';

/** A data key wrapped under the master key `keyId` (base64 of the sealed key). */
export interface WrappedDataKey {
  keyId: string;
  wrappedKey: string;
}

/** One step of a master-key re-wrap: what it looked at, what it changed, and where the next step starts. */
export interface RewrapStep {
  scanned: number;
  rewrapped: number;
  /** Opaque; absent when every record has been visited. */
  next?: string;
}

/**
 * How an object's (or an upload's) blobs are encrypted. SSE-S3: a random data key, stored only wrapped
 * under the master key `keyId`. SSE-C: the customer's key is the data key and is never stored; a salted
 * HMAC of it tells whether a request brings the same key.
 */
export type ObjectEncryption =
  | ({ mode: 'SSE-S3' } & WrappedDataKey)
  | { mode: 'SSE-C'; verifierSalt: string; verifier: string; keyMd5: string };

/** A contiguous run of an object's bytes kept in one blob. */
export interface BlobRef {
  id: string;
  size: number;
  /**
   * Bytes of a small blob not stored yet (WrittenBlob.staged): the index writes them as the blob's inline
   * row in the transaction that writes the record or part referencing it, and never reads it back here.
   */
  staged?: Buffer;
}

/** An object record with, when the index read them with it, the bytes of its one inline blob (getObjectWithBody). */
export type ObjectWithBody = ObjectRecord & { inlineBody?: Buffer };

/** Per-part facts kept on a completed multipart object (for partNumber reads and GetObjectAttributes). */
export interface ObjectPart {
  partNumber: number;
  size: number;
  etag: string;
  checksum?: string;
}

/** System metadata that S3 stores and returns verbatim, keyed by lower-case header name. */
export type ContentHeaders = Partial<Record<
  'content-type' | 'cache-control' | 'content-disposition' | 'content-encoding' | 'content-language' | 'expires' | 'x-amz-website-redirect-location',
  string
>>;

export interface Tag {
  key: string;
  value: string;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  /** 'null' for objects written while versioning is off, as S3 reports them. */
  versionId: string;
  size: number;
  /** ETag without quotes: hex MD5, or "<hex>-<N>" for multipart objects. */
  etag: string;
  lastModified: Date;
  owner: string;
  storageClass: string;
  contentHeaders: ContentHeaders;
  /** x-amz-meta-* without the prefix, names lower-cased. */
  userMetadata: Record<string, string>;
  tags: Tag[];
  acl: string;
  /** Checksum the client sent (or the server's CRC64NVME when it sent none). */
  checksum?: StoredChecksum;
  /** Bytes of the object in order; their sizes add up to `size`. */
  blobs: BlobRef[];
  /** Present on objects made by CompleteMultipartUpload. */
  parts?: ObjectPart[];
  deleteMarker: boolean;
  /** Set when an integrity check found the stored bytes do not match; reads are refused. */
  quarantined?: boolean;
  /** Absent for objects stored in plaintext. Blob sizes stay plaintext sizes either way. */
  encryption?: ObjectEncryption;
  /**
   * base64 CRC32C of the whole plaintext, recorded at write time for verifying reads cheaply (never sent to
   * clients). Absent on objects written before it was recorded; their reads verify the MD5s instead.
   */
  verifyCrc32c?: string;
  /** Object Lock retention of this version; absent when it has none. */
  retention?: Retention;
  /** Object Lock legal hold: while on, the version cannot be deleted whatever its retention. */
  legalHold?: boolean;
}

/** An object version without its blob list: what answers that send no bytes (HEAD) need. */
export type ObjectMetadata = Omit<ObjectRecord, 'blobs'>;

/**
 * Preconditions on the current object, checked inside the write transaction (S3 conditional writes and
 * deletes). Evaluated by `checkWriteCondition` (write-condition.ts), the one place these rules live.
 */
export interface WriteCondition {
  /**
   * `If-None-Match`: true (`*`) fails with PreconditionFailed if a current object exists; an ETag (unquoted)
   * fails only if the current object has that ETag.
   */
  ifNoneMatch?: boolean | string;
  /** `If-Match: "etag"` (unquoted value or '*'): fail unless the current object has this ETag (NoSuchKey if absent). */
  ifMatch?: string;
  /** `x-amz-if-match-last-modified-time` (deletes): fail unless the current object was last modified then (to the second). */
  ifMatchLastModifiedTime?: Date;
  /** `x-amz-if-match-size` (deletes): fail unless the current object has this size. */
  ifMatchSize?: number;
}

/** One entry of ListObjectVersions: a version or a delete marker. */
export interface VersionSummary extends ObjectSummary {
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  retention?: Retention;
  legalHold?: boolean;
}

export interface VersionListQuery {
  bucket: string;
  prefix: string;
  /** Empty string for no delimiter. */
  delimiter: string;
  /** Resume after this key (all its versions) — or, with `versionIdMarker`, after that version of it. */
  keyMarker: string;
  versionIdMarker: string;
  /** Versions, delete markers and common prefixes together: 0..1000. */
  maxKeys: number;
}

export interface VersionListPage {
  /** Keys in order; each key's versions newest first, the current one (isLatest) leading. */
  versions: VersionSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

/** How a version may be removed despite Object Lock. */
export interface LockOverride {
  /** The server's clock: retention that ends at or before it no longer protects. */
  now: Date;
  /** x-amz-bypass-governance-retention with s3:BypassGovernanceRetention allowed (checked by the caller). */
  bypassGovernance?: boolean;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  owner: string;
  storageClass: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
}

export interface ListQuery {
  bucket: string;
  prefix: string;
  /** Empty string for no delimiter. */
  delimiter: string;
  /** Exclusive lower bound: marker / start-after / decoded continuation token. */
  after: string;
  /** 0..1000 */
  maxKeys: number;
}

export interface ListPage {
  objects: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Last key or common prefix returned: where the next page starts (exclusive). */
  nextAfter?: string;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: Date;
  owner: string;
  storageClass: string;
  contentHeaders: ContentHeaders;
  userMetadata: Record<string, string>;
  tags: Tag[];
  acl: string;
  /** Fixed at CreateMultipartUpload (x-amz-checksum-algorithm / x-amz-checksum-type); absent when none asked. */
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
  /** Fixed at CreateMultipartUpload; every part is encrypted with it and the object inherits it. */
  encryption?: ObjectEncryption;
  /** Object Lock settings asked for at CreateMultipartUpload, given to the completed version. */
  retention?: Retention;
  legalHold?: boolean;
}

export interface PartRecord {
  uploadId: string;
  partNumber: number;
  blob: BlobRef;
  /** hex MD5 without quotes */
  etag: string;
  lastModified: Date;
  /** base64 checksums of the part's bytes, by algorithm (the upload's algorithm at least, when it has one). */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** base64 CRC32C of the part's plaintext, for the completed object's verification checksum. */
  verifyCrc32c?: string;
}

export interface UploadListQuery {
  bucket: string;
  prefix: string;
  delimiter: string;
  /** Exclusive start: uploads with key > keyMarker, or key == keyMarker and uploadId > uploadIdMarker (S3 rules). */
  keyMarker: string;
  uploadIdMarker: string;
  maxUploads: number;
}

export interface UploadListPage {
  uploads: UploadRecord[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

export interface PartListPage {
  parts: PartRecord[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
}

/** The bytes and facts of an existing object that a copy reuses; read and referenced in one transaction. */
export type CopySourceCheck = (source: ObjectRecord) => void;

export interface StorageUsage {
  buckets: { bucket: string; owner: string; objects: number; bytes: number; quota?: Quota }[];
  openUploads: number;
}

export interface MetadataIndex {
  createBucket(bucket: BucketRecord): Promise<void>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  listBuckets(): Promise<BucketRecord[]>;
  /** BucketNotEmpty while it holds any version or delete marker; aborts its open uploads and returns their blobs. */
  deleteBucket(name: string): Promise<string[]>;

  /**
   * The current version of the key (maybe a delete marker), or with `versionId` that version, current or
   * not ('null' names the null version wherever it is).
   */
  getObject(bucket: string, key: string, versionId?: string): Promise<ObjectRecord | undefined>;
  /** As getObject, without reading the blob list (HEAD answers from the object's row alone). */
  getObjectMetadata(bucket: string, key: string, versionId?: string): Promise<ObjectMetadata | undefined>;
  /**
   * Makes `record` (an object or a delete marker) the current version under its key; returns blob ids no
   * longer referenced. Its `versionId` says what happens to the versions already there (versioning):
   * - 'null' replaces the key's null version wherever it is (an unversioned or suspended bucket); a current
   *   version with another id becomes noncurrent;
   * - any other id keeps every version: the current one becomes noncurrent.
   * A replaced version under Object Lock (retention in force or a legal hold) fails the write with
   * AccessDenied. Fails with QuotaExceeded, in the same transaction, when the write would take the bucket or
   * its owner past a quota; every stored version counts (the same holds for copyObject and completeUpload).
   */
  putObject(record: ObjectRecord, condition?: WriteCondition): Promise<string[]>;
  /**
   * Removes the current version if any, for good (unversioned buckets; versioned buckets write a delete
   * marker with putObject instead). `condition` is checked against it first: a failing If-Match answers
   * NoSuchKey when nothing is there, as S3 does. A locked current version fails with AccessDenied.
   * Returns blob ids no longer referenced.
   */
  deleteObject(bucket: string, key: string, condition?: WriteCondition): Promise<string[]>;
  /**
   * Removes one version (or delete marker) for good. When it was current, the newest remaining version
   * becomes current. Refuses with AccessDenied while the version is locked: a legal hold, COMPLIANCE
   * retention until it ends, GOVERNANCE retention unless `override.bypassGovernance`. `condition` applies to
   * the current version, as S3's conditional deletes do. Returns the removed version (undefined when there
   * was none: S3 answers success anyway) and the blob ids no longer referenced.
   */
  deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    override: LockOverride,
    condition?: WriteCondition,
  ): Promise<{ removed?: ObjectRecord; orphans: string[] }>;
  list(query: ListQuery): Promise<ListPage>;
  /** ListObjectVersions: every version and delete marker, keys in order, each key's newest first. */
  listVersions(query: VersionListQuery): Promise<VersionListPage>;
  /**
   * Sets a version's retention (undefined removes it). Shortening or removing GOVERNANCE retention needs
   * `override.bypassGovernance`; COMPLIANCE retention in force can only be extended, by anyone. AccessDenied
   * otherwise; NoSuchVersion / NoSuchKey when the version is absent or is a delete marker.
   */
  putRetention(bucket: string, key: string, versionId: string | undefined, retention: Retention | undefined, override: LockOverride): Promise<void>;
  /** Turns a version's legal hold on or off; NoSuchVersion / NoSuchKey when absent or a delete marker. */
  putLegalHold(bucket: string, key: string, versionId: string | undefined, on: boolean): Promise<void>;
  /** True while any version in the bucket is under a legal hold or retention that ends after `now`. */
  bucketHoldsLockedVersions(bucket: string, now: Date): Promise<boolean>;

  /**
   * Atomically reads the source (its current version, or `versionId`), runs `check` on it (copy-source conditions; it may throw),
   * then writes `build(source)` as the current object at its own bucket/key under `condition`. The new
   * record may share the source's blobs: sharing is safe because the source cannot lose them mid-copy.
   * NoSuchKey when the source is missing. Returns blob ids no longer referenced.
   */
  copyObject(
    source: { bucket: string; key: string; versionId?: string },
    check: CopySourceCheck,
    build: (source: ObjectRecord) => ObjectRecord,
    condition?: WriteCondition,
  ): Promise<{ record: ObjectRecord; orphans: string[] }>;
  /** Replaces the tag set of the current object (or of `versionId`); NoSuchKey / NoSuchVersion when absent. */
  putObjectTags(bucket: string, key: string, tags: Tag[], versionId?: string): Promise<void>;
  /** Changes the bucket's settings in one write and returns the record after it; NoSuchBucket when absent. */
  patchBucket(bucket: string, patch: BucketPatch): Promise<BucketRecord>;
  /** Replaces the ACL of the current object (or of `versionId`); NoSuchKey / NoSuchVersion when absent. */
  putObjectAcl(bucket: string, key: string, acl: string, versionId?: string): Promise<void>;
  /** Stored versions (delete markers excluded) and their bytes in one bucket, kept as counters (cheap); NoSuchBucket when absent. */
  bucketUsage(bucket: string): Promise<Usage>;

  /**
   * Records a new upload; QuotaExceeded when its bucket already has `maxOpenUploads` open uploads (checked
   * in the same transaction), NoSuchBucket when the bucket is gone.
   */
  createUpload(upload: UploadRecord, maxOpenUploads?: number): Promise<void>;
  /** The upload if it exists and belongs to bucket/key. */
  getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined>;
  /**
   * Adds or replaces a part; NoSuchUpload if the upload is gone (checked in the same transaction). Parts of
   * open uploads count against the bucket's and its owner's byte quotas: QuotaExceeded, with nothing
   * recorded, when this part would take either past its quota. Completing an upload moves its parts' bytes
   * to the object without counting them twice. Returns orphaned blob ids.
   */
  putPart(part: PartRecord): Promise<string[]>;
  /** Parts with partNumber > after, ascending, at most max (1..1000). */
  listParts(uploadId: string, after: number, max: number): Promise<PartListPage>;
  /** Every part of the upload, ascending. */
  allParts(uploadId: string): Promise<PartRecord[]>;
  /**
   * In one transaction: re-check that the upload exists (NoSuchUpload), apply `condition` to the current
   * object, make `record` current, delete the upload and all its parts. Blobs of parts not used by `record`
   * and of the replaced object are returned as orphans.
   */
  completeUpload(uploadId: string, record: ObjectRecord, condition?: WriteCondition): Promise<string[]>;
  /** Deletes the upload and its parts (NoSuchUpload when absent); returns their blob ids no longer referenced. */
  abortUpload(uploadId: string): Promise<string[]>;
  listUploads(query: UploadListQuery): Promise<UploadListPage>;
  /**
   * Aborts uploads initiated before `before` (only those in `scope`, the oldest first, when given); returns how
   * many, which, and the blob ids released.
   */
  expireUploads(before: Date, scope?: UploadExpiryScope): Promise<{ uploads: number; aborted: { bucket: string; key: string; uploadId: string }[]; orphans: string[] }>;

  /** The lifecycle worker's progress through a bucket, when a pass is under way. */
  getLifecycleCursor(bucket: string): Promise<LifecycleCursor | undefined>;
  /**
   * In one transaction: applies each lifecycle expiration that still holds (see LifecycleExpiration; a locked
   * version is never removed) and records `cursor` as the bucket's lifecycle progress (null: the pass is over),
   * so a restart neither skips nor repeats a batch. Returns the expirations applied and the blob ids no longer
   * referenced. NoSuchBucket when the bucket is gone.
   */
  expireObjects(bucket: string, expirations: LifecycleExpiration[], cursor: LifecycleCursor | null): Promise<{ expired: LifecycleExpiration[]; orphans: string[] }>;

  /** Current, non-delete-marker objects of all buckets after `after`, in (bucket, key) order: the scrub's walk. */
  scanObjects(after: { bucket: string; key: string } | undefined, limit: number): Promise<ObjectRecord[]>;
  /**
   * Every stored version that is not a delete marker, current or not, after `after` in (bucket, key,
   * versionId) order: the scrub's and backup checks' walk over all bytes the index references.
   */
  scanVersions(after: { bucket: string; key: string; versionId: string } | undefined, limit: number): Promise<ObjectRecord[]>;
  /**
   * Marks or clears quarantine on one version (the current one when `versionId` is absent), only if it still
   * has `etag`; true when changed.
   */
  setQuarantined(bucket: string, key: string, etag: string, quarantined: boolean, versionId?: string): Promise<boolean>;

  /**
   * Master-key rotation, one step: visits up to `limit` records holding an SSE-S3 data key (current and
   * noncurrent object versions, open uploads) after `after` (a previous step's `next`; undefined to start),
   * and replaces each wrapped key by what `rewrap` returns for it (undefined: leave it). One transaction per
   * step, so concurrent writes are never lost and an interrupted run resumes from its last `next` (or from
   * the start: records already re-wrapped are passed over). InvalidArgument for a cursor it did not make.
   */
  rewrapDataKeys(after: string | undefined, limit: number, rewrap: (wrapped: WrappedDataKey) => WrappedDataKey | undefined): Promise<RewrapStep>;
  /** How many records (object versions, open uploads) hold a data key wrapped under each master key id. */
  dataKeysByMasterKey(): Promise<Record<string, number>>;

  /** True when some record (object or upload part) still references the blob. */
  isBlobReferenced(id: string): Promise<boolean>;
  /**
   * getObject for a read of the object's bytes. An index whose database is a server may also read the bytes
   * of a small object's one blob when it holds it inline (`inlineBody`), in the same query: GetObject then
   * costs one round trip, not two. Absent: getObject serves.
   */
  getObjectWithBody?(bucket: string, key: string, versionId?: string): Promise<ObjectWithBody | undefined>;
  /** Of `ids`, those no record references, in their order: what start-up recovery and scrub look for, a page at a time. */
  unreferencedBlobs(ids: string[]): Promise<string[]>;
  /** Current objects and their bytes per bucket, and open multipart uploads: what operators monitor. */
  usage(): Promise<StorageUsage>;
  close(): Promise<void>;
}
