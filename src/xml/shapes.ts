// One type per S3 XML document, named after its root element. Values are already formatted strings.

export interface Owner {
  ID: string;
  DisplayName: string;
}

export interface ListAllMyBucketsResult {
  Owner: Owner;
  Buckets: { Bucket: { Name: string; CreationDate: string; BucketRegion?: string }[] };
  Prefix?: string;
  ContinuationToken?: string;
}

export interface ListedObject {
  Key: string;
  LastModified: string;
  ETag: string;
  ChecksumAlgorithm?: string;
  ChecksumType?: string;
  Size: number;
  Owner?: Owner;
  StorageClass: string;
}

export interface CommonPrefix {
  Prefix: string;
}

/** ListObjects (v1) and ListObjectsV2 share the root element and differ in members. */
export interface ListBucketResult {
  Name: string;
  Prefix: string;
  Marker?: string;
  NextMarker?: string;
  StartAfter?: string;
  ContinuationToken?: string;
  NextContinuationToken?: string;
  KeyCount?: number;
  MaxKeys: number;
  Delimiter?: string;
  EncodingType?: string;
  IsTruncated: boolean;
  Contents: ListedObject[];
  CommonPrefixes: CommonPrefix[];
}

export interface LocationConstraint {
  /** Text content; empty for us-east-1, as S3 answers. */
  '#text': string;
}

export interface VersioningConfiguration {
  Status?: 'Enabled' | 'Suspended';
  MfaDelete?: 'Enabled' | 'Disabled';
}

export interface ErrorDocument {
  Code: string;
  Message: string;
  Resource?: string;
  RequestId: string;
  [field: string]: string | number | undefined;
}
