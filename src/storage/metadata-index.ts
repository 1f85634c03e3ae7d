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
  /** Lifecycle rules (PutBucketLifecycleConfiguration), validated before they are stored. */
  lifecycle?: LifecycleConfiguration;
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

/**
 * How an object's (or an upload's) blobs are encrypted. SSE-S3: a random data key, stored only wrapped
 * under the master key `keyId`. SSE-C: the customer's key is the data key and is never stored; a salted
 * HMAC of it tells whether a request brings the same key.
 */
export type ObjectEncryption =
  | { mode: 'SSE-S3'; keyId: string; wrappedKey: string }
  | { mode: 'SSE-C'; verifierSalt: string; verifier: string; keyMd5: string };

/** A contiguous run of an object's bytes kept in one blob. */
export interface BlobRef {
  id: string;
  size: number;
}

/** Per-part facts kept on a completed multipart object (for partNumber reads and GetObjectAttributes). */
export interface ObjectPart {
  partNumber: number;
  size: number;
  etag: string;
  checksum?: string;
}

/** System metadata that S3 stores and returns verbatim, keyed by lower-case header name. */
export type ContentHeaders = Partial<Record<
  'content-type' | 'cache-control' | 'content-disposition' | 'content-encoding' | 'content-language' | 'expires',
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
}

/** Precondition checked inside the write transaction (conditional writes, S3's If-Match / If-None-Match). */
export interface WriteCondition {
  /** `If-None-Match: *`: fail with PreconditionFailed if a current object exists. */
  ifNoneMatch?: boolean;
  /** `If-Match: "etag"` (unquoted value or '*'): fail unless the current object has this ETag (NoSuchKey if absent). */
  ifMatch?: string;
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
  /** BucketNotEmpty while it holds objects; aborts its open uploads and returns their blobs. */
  deleteBucket(name: string): Promise<string[]>;

  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /**
   * Makes `record` the current object under its key; returns blob ids no longer referenced.
   * Fails with QuotaExceeded, in the same transaction, when the write would take the bucket or its
   * owner past a quota (the same holds for copyObject and completeUpload).
   */
  putObject(record: ObjectRecord, condition?: WriteCondition): Promise<string[]>;
  /** Removes the current object if any; returns blob ids no longer referenced. */
  deleteObject(bucket: string, key: string): Promise<string[]>;
  list(query: ListQuery): Promise<ListPage>;

  /**
   * Atomically reads the current source object, runs `check` on it (copy-source conditions; it may throw),
   * then writes `build(source)` as the current object at its own bucket/key under `condition`. The new
   * record may share the source's blobs: sharing is safe because the source cannot lose them mid-copy.
   * NoSuchKey when the source is missing. Returns blob ids no longer referenced.
   */
  copyObject(
    source: { bucket: string; key: string },
    check: CopySourceCheck,
    build: (source: ObjectRecord) => ObjectRecord,
    condition?: WriteCondition,
  ): Promise<{ record: ObjectRecord; orphans: string[] }>;
  /** Replaces the tag set of the current object; NoSuchKey when absent. */
  putObjectTags(bucket: string, key: string, tags: Tag[]): Promise<void>;
  /** Changes the bucket's settings in one write and returns the record after it; NoSuchBucket when absent. */
  patchBucket(bucket: string, patch: BucketPatch): Promise<BucketRecord>;
  /** Replaces the ACL of the current object; NoSuchKey when absent. */
  putObjectAcl(bucket: string, key: string, acl: string): Promise<void>;
  /** Current objects and their bytes in one bucket, kept as counters (cheap); NoSuchBucket when absent. */
  bucketUsage(bucket: string): Promise<Usage>;

  createUpload(upload: UploadRecord): Promise<void>;
  /** The upload if it exists and belongs to bucket/key. */
  getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined>;
  /** Adds or replaces a part; NoSuchUpload if the upload is gone (checked in the same transaction). Returns orphaned blob ids. */
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
   * In one transaction: removes each listed current object of `bucket` that is still exactly that version and
   * is not locked (legal hold, or retention until a later time), and records `cursor` as the bucket's lifecycle
   * progress (null: the pass is over). So a restart neither skips nor repeats a batch. Returns the objects
   * removed and the blob ids no longer referenced. NoSuchBucket when the bucket is gone.
   */
  expireObjects(bucket: string, objects: ObjectVersionRef[], cursor: LifecycleCursor | null): Promise<{ expired: ObjectVersionRef[]; orphans: string[] }>;

  /** Current, non-delete-marker objects of all buckets after `after`, in (bucket, key) order: the scrub's walk. */
  scanObjects(after: { bucket: string; key: string } | undefined, limit: number): Promise<ObjectRecord[]>;
  /** Marks or clears quarantine on the current object, only if it still has `etag`; true when changed. */
  setQuarantined(bucket: string, key: string, etag: string, quarantined: boolean): Promise<boolean>;

  /** True when some record (object or upload part) still references the blob. */
  isBlobReferenced(id: string): Promise<boolean>;
  /** Current objects and their bytes per bucket, and open multipart uploads: what operators monitor. */
  usage(): Promise<StorageUsage>;
  close(): Promise<void>;
}
