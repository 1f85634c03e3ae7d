// The metadata index: buckets, objects, uploads. Every method is one whole intent, atomic in its
// implementation, and async so a networked database can implement the same interface later.
// Methods that drop references to blobs return those blob ids; the caller deletes them after the commit.

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
  /** base64 value as S3 returns it; composite values carry a "-N" suffix. */
  value: string;
}

export interface BucketRecord {
  name: string;
  owner: string;
  region: string;
  createdAt: Date;
  /** Canned ACL given at creation ('private' unless told otherwise). */
  acl: string;
  versioning: 'Unversioned' | 'Enabled' | 'Suspended';
}

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

export interface MetadataIndex {
  createBucket(bucket: BucketRecord): Promise<void>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  listBuckets(): Promise<BucketRecord[]>;
  /** BucketNotEmpty while it holds objects; aborts its open uploads and returns their blobs. */
  deleteBucket(name: string): Promise<string[]>;

  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** Makes `record` the current object under its key; returns blob ids no longer referenced. */
  putObject(record: ObjectRecord, condition?: WriteCondition): Promise<string[]>;
  /** Removes the current object if any; returns blob ids no longer referenced. */
  deleteObject(bucket: string, key: string): Promise<string[]>;
  list(query: ListQuery): Promise<ListPage>;

  /** True when some record (object or upload part) still references the blob. */
  isBlobReferenced(id: string): Promise<boolean>;
  close(): Promise<void>;
}
