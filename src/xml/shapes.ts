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

/** Per-algorithm checksum members shared by several documents. */
export interface ChecksumMembers {
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
  ChecksumType?: string;
}

export interface InitiateMultipartUploadResult {
  Bucket: string;
  Key: string;
  UploadId: string;
}

export interface CompleteMultipartUploadResult extends ChecksumMembers {
  Location: string;
  Bucket: string;
  Key: string;
  ETag: string;
}

export interface CopyObjectResult extends ChecksumMembers {
  ETag: string;
  LastModified: string;
}

/** UploadPartCopy's answer: same members as CopyObjectResult. */
export type CopyPartResult = CopyObjectResult;

export interface ListedPart extends ChecksumMembers {
  PartNumber: number;
  LastModified: string;
  ETag: string;
  Size: number;
}

export interface ListPartsResult {
  Bucket: string;
  Key: string;
  UploadId: string;
  PartNumberMarker: number;
  NextPartNumberMarker?: number;
  MaxParts: number;
  IsTruncated: boolean;
  Part: ListedPart[];
  Initiator: Owner;
  Owner: Owner;
  StorageClass: string;
  ChecksumAlgorithm?: string;
  ChecksumType?: string;
}

export interface ListedUpload {
  Key: string;
  UploadId: string;
  Initiator: Owner;
  Owner: Owner;
  StorageClass: string;
  Initiated: string;
  ChecksumAlgorithm?: string;
  ChecksumType?: string;
}

export interface ListMultipartUploadsResult {
  Bucket: string;
  KeyMarker: string;
  UploadIdMarker: string;
  NextKeyMarker?: string;
  NextUploadIdMarker?: string;
  Prefix: string;
  Delimiter?: string;
  MaxUploads: number;
  IsTruncated: boolean;
  EncodingType?: string;
  Upload: ListedUpload[];
  CommonPrefixes: CommonPrefix[];
}

export interface DeleteResult {
  Deleted: { Key: string; VersionId?: string; DeleteMarker?: boolean; DeleteMarkerVersionId?: string }[];
  Error: { Key: string; VersionId?: string; Code: string; Message: string }[];
}

export interface Tagging {
  TagSet: { Tag: { Key: string; Value: string }[] };
}

export interface GetObjectAttributesResponse {
  ETag?: string;
  Checksum?: ChecksumMembers;
  ObjectParts?: {
    PartsCount: number;
    PartNumberMarker: number;
    NextPartNumberMarker?: number;
    MaxParts: number;
    IsTruncated: boolean;
    Part: ({ PartNumber: number; Size: number } & ChecksumMembers)[];
  };
  StorageClass?: string;
  ObjectSize?: number;
}

/** GetBucketEncryption's answer and PutBucketEncryption's body. */
export interface ServerSideEncryptionConfiguration {
  Rule: {
    ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID?: string };
    BucketKeyEnabled: boolean;
  }[];
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const XSI_NAMESPACE = XSI;

/** One grantee of an ACL as S3 writes it: xsi:type says which identifier it carries. */
export type GranteeXml =
  | { '@_xmlns:xsi': typeof XSI; '@_xsi:type': 'CanonicalUser'; ID: string; DisplayName?: string }
  | { '@_xmlns:xsi': typeof XSI; '@_xsi:type': 'Group'; URI: string };

/** GetBucketAcl / GetObjectAcl answer and Put*Acl body. */
export interface AccessControlPolicy {
  Owner: Owner;
  AccessControlList: { Grant: { Grantee: GranteeXml; Permission: string }[] };
}

/** GetBucketPolicyStatus answer. */
export interface PolicyStatus {
  IsPublic: boolean;
}

/** GetPublicAccessBlock answer and PutPublicAccessBlock body. */
/** GetBucketOwnershipControls / PutBucketOwnershipControls: one rule naming the Object Ownership setting. */
export interface OwnershipControls {
  Rule: { ObjectOwnership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter' };
}

export interface PublicAccessBlockConfiguration {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

/** A lifecycle Filter, or the And inside one: predicates as S3 writes them. */
export interface LifecycleFilterDocument {
  Prefix?: string;
  Tag?: { Key: string; Value: string }[];
  ObjectSizeGreaterThan?: number;
  ObjectSizeLessThan?: number;
  And?: LifecycleFilterDocument;
}

/** One rule of GetBucketLifecycleConfiguration's answer, members in S3's order. */
export interface LifecycleRuleDocument {
  Expiration?: { Date?: string; Days?: number; ExpiredObjectDeleteMarker?: boolean };
  ID?: string;
  Prefix?: string;
  Filter?: LifecycleFilterDocument;
  Status?: 'Enabled' | 'Disabled';
  NoncurrentVersionExpiration?: { NoncurrentDays: number; NewerNoncurrentVersions?: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

/** GetBucketLifecycleConfiguration answer and PutBucketLifecycleConfiguration body. */
export interface LifecycleConfigurationDocument {
  Rule: LifecycleRuleDocument[];
}

export interface ListedVersion {
  Key: string;
  VersionId: string;
  IsLatest: boolean;
  LastModified: string;
  ETag: string;
  ChecksumAlgorithm?: string;
  ChecksumType?: string;
  Size: number;
  StorageClass: string;
  Owner: Owner;
}

export interface ListedDeleteMarker {
  Key: string;
  VersionId: string;
  IsLatest: boolean;
  LastModified: string;
  Owner: Owner;
}

/**
 * ListObjectVersions. Versions and delete markers each keep listing order; S3 interleaves the two element
 * kinds, while SDKs read them as two lists, so they are written as two runs.
 */
export interface ListVersionsResult {
  Name: string;
  Prefix: string;
  KeyMarker: string;
  VersionIdMarker: string;
  NextKeyMarker?: string;
  NextVersionIdMarker?: string;
  MaxKeys: number;
  Delimiter?: string;
  EncodingType?: string;
  IsTruncated: boolean;
  Version: ListedVersion[];
  DeleteMarker: ListedDeleteMarker[];
  CommonPrefixes: CommonPrefix[];
}

export interface ObjectLockConfiguration {
  ObjectLockEnabled?: 'Enabled';
  Rule?: { DefaultRetention: { Mode: 'GOVERNANCE' | 'COMPLIANCE'; Days?: number; Years?: number } };
}

export interface ObjectLockRetention {
  Mode: 'GOVERNANCE' | 'COMPLIANCE';
  RetainUntilDate: string;
}

export interface ObjectLockLegalHold {
  Status: 'ON' | 'OFF';
}

export interface CORSRuleShape {
  ID?: string;
  AllowedHeader?: string[];
  AllowedMethod: string[];
  AllowedOrigin: string[];
  ExposeHeader?: string[];
  MaxAgeSeconds?: number;
}

export interface CORSConfiguration {
  CORSRule: CORSRuleShape[];
}

export interface WebsiteRedirectShape {
  HostName?: string;
  HttpRedirectCode?: string;
  Protocol?: string;
  ReplaceKeyPrefixWith?: string;
  ReplaceKeyWith?: string;
}

export interface WebsiteConfiguration {
  RedirectAllRequestsTo?: { HostName: string; Protocol?: string };
  IndexDocument?: { Suffix: string };
  ErrorDocument?: { Key: string };
  RoutingRules?: {
    RoutingRule: { Condition?: { KeyPrefixEquals?: string; HttpErrorCodeReturnedEquals?: string }; Redirect: WebsiteRedirectShape }[];
  };
}

/** The answer to a browser form upload with success_action_status 201. */
export interface PostResponse {
  Location: string;
  Bucket: string;
  Key: string;
  ETag: string;
}
