// Routing as data: (method, target level, subresource, header) → S3 operation name. One row per operation.
// Rows are tried in order; the first match wins, so more specific rows (with a subresource or header) come first.

export type TargetLevel = 'service' | 'bucket' | 'object';

export interface OperationRule {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  level: TargetLevel;
  /** Query parameter that selects the operation (present, any value). */
  query?: string;
  /** Request header that selects the operation (present, any value). */
  header?: string;
  op: string;
}

export const operationRules = [
  { method: 'GET', level: 'service', op: 'ListBuckets' },

  { method: 'GET', level: 'bucket', query: 'location', op: 'GetBucketLocation' },
  { method: 'GET', level: 'bucket', query: 'versioning', op: 'GetBucketVersioning' },
  { method: 'PUT', level: 'bucket', query: 'versioning', op: 'PutBucketVersioning' },
  { method: 'GET', level: 'bucket', query: 'versions', op: 'ListObjectVersions' },
  { method: 'GET', level: 'bucket', query: 'uploads', op: 'ListMultipartUploads' },
  { method: 'GET', level: 'bucket', query: 'tagging', op: 'GetBucketTagging' },
  { method: 'PUT', level: 'bucket', query: 'tagging', op: 'PutBucketTagging' },
  { method: 'DELETE', level: 'bucket', query: 'tagging', op: 'DeleteBucketTagging' },
  { method: 'GET', level: 'bucket', query: 'acl', op: 'GetBucketAcl' },
  { method: 'PUT', level: 'bucket', query: 'acl', op: 'PutBucketAcl' },
  { method: 'GET', level: 'bucket', query: 'policy', op: 'GetBucketPolicy' },
  { method: 'PUT', level: 'bucket', query: 'policy', op: 'PutBucketPolicy' },
  { method: 'DELETE', level: 'bucket', query: 'policy', op: 'DeleteBucketPolicy' },
  { method: 'GET', level: 'bucket', query: 'policyStatus', op: 'GetBucketPolicyStatus' },
  { method: 'GET', level: 'bucket', query: 'cors', op: 'GetBucketCors' },
  { method: 'PUT', level: 'bucket', query: 'cors', op: 'PutBucketCors' },
  { method: 'DELETE', level: 'bucket', query: 'cors', op: 'DeleteBucketCors' },
  { method: 'GET', level: 'bucket', query: 'lifecycle', op: 'GetBucketLifecycleConfiguration' },
  { method: 'PUT', level: 'bucket', query: 'lifecycle', op: 'PutBucketLifecycleConfiguration' },
  { method: 'DELETE', level: 'bucket', query: 'lifecycle', op: 'DeleteBucketLifecycle' },
  { method: 'GET', level: 'bucket', query: 'encryption', op: 'GetBucketEncryption' },
  { method: 'PUT', level: 'bucket', query: 'encryption', op: 'PutBucketEncryption' },
  { method: 'DELETE', level: 'bucket', query: 'encryption', op: 'DeleteBucketEncryption' },
  { method: 'GET', level: 'bucket', query: 'object-lock', op: 'GetObjectLockConfiguration' },
  { method: 'PUT', level: 'bucket', query: 'object-lock', op: 'PutObjectLockConfiguration' },
  { method: 'GET', level: 'bucket', query: 'publicAccessBlock', op: 'GetPublicAccessBlock' },
  { method: 'PUT', level: 'bucket', query: 'publicAccessBlock', op: 'PutPublicAccessBlock' },
  { method: 'DELETE', level: 'bucket', query: 'publicAccessBlock', op: 'DeletePublicAccessBlock' },
  { method: 'GET', level: 'bucket', query: 'ownershipControls', op: 'GetBucketOwnershipControls' },
  { method: 'PUT', level: 'bucket', query: 'ownershipControls', op: 'PutBucketOwnershipControls' },
  { method: 'GET', level: 'bucket', query: 'website', op: 'GetBucketWebsite' },
  { method: 'PUT', level: 'bucket', query: 'website', op: 'PutBucketWebsite' },
  { method: 'DELETE', level: 'bucket', query: 'website', op: 'DeleteBucketWebsite' },
  { method: 'GET', level: 'bucket', query: 'logging', op: 'GetBucketLogging' },
  { method: 'PUT', level: 'bucket', query: 'logging', op: 'PutBucketLogging' },
  { method: 'GET', level: 'bucket', query: 'notification', op: 'GetBucketNotificationConfiguration' },
  { method: 'PUT', level: 'bucket', query: 'notification', op: 'PutBucketNotificationConfiguration' },
  { method: 'GET', level: 'bucket', query: 'replication', op: 'GetBucketReplication' },
  { method: 'PUT', level: 'bucket', query: 'replication', op: 'PutBucketReplication' },
  { method: 'DELETE', level: 'bucket', query: 'replication', op: 'DeleteBucketReplication' },
  { method: 'GET', level: 'bucket', query: 'accelerate', op: 'GetBucketAccelerateConfiguration' },
  { method: 'PUT', level: 'bucket', query: 'accelerate', op: 'PutBucketAccelerateConfiguration' },
  { method: 'GET', level: 'bucket', query: 'requestPayment', op: 'GetBucketRequestPayment' },
  { method: 'PUT', level: 'bucket', query: 'requestPayment', op: 'PutBucketRequestPayment' },
  { method: 'GET', level: 'bucket', query: 'analytics', op: 'GetBucketAnalyticsConfiguration' },
  { method: 'GET', level: 'bucket', query: 'inventory', op: 'GetBucketInventoryConfiguration' },
  { method: 'GET', level: 'bucket', query: 'metrics', op: 'GetBucketMetricsConfiguration' },
  { method: 'GET', level: 'bucket', query: 'intelligent-tiering', op: 'GetBucketIntelligentTieringConfiguration' },
  { method: 'GET', level: 'bucket', query: 'session', op: 'CreateSession' },
  { method: 'POST', level: 'bucket', query: 'delete', op: 'DeleteObjects' },
  { method: 'GET', level: 'bucket', query: 'list-type', op: 'ListObjectsV2' },
  { method: 'GET', level: 'bucket', op: 'ListObjects' },
  { method: 'HEAD', level: 'bucket', op: 'HeadBucket' },
  { method: 'PUT', level: 'bucket', op: 'CreateBucket' },
  { method: 'DELETE', level: 'bucket', op: 'DeleteBucket' },
  { method: 'POST', level: 'bucket', op: 'PostObject' },

  { method: 'POST', level: 'object', query: 'uploads', op: 'CreateMultipartUpload' },
  { method: 'POST', level: 'object', query: 'uploadId', op: 'CompleteMultipartUpload' },
  { method: 'PUT', level: 'object', query: 'uploadId', header: 'x-amz-copy-source', op: 'UploadPartCopy' },
  { method: 'PUT', level: 'object', query: 'uploadId', op: 'UploadPart' },
  { method: 'GET', level: 'object', query: 'uploadId', op: 'ListParts' },
  { method: 'DELETE', level: 'object', query: 'uploadId', op: 'AbortMultipartUpload' },
  { method: 'GET', level: 'object', query: 'tagging', op: 'GetObjectTagging' },
  { method: 'PUT', level: 'object', query: 'tagging', op: 'PutObjectTagging' },
  { method: 'DELETE', level: 'object', query: 'tagging', op: 'DeleteObjectTagging' },
  { method: 'GET', level: 'object', query: 'acl', op: 'GetObjectAcl' },
  { method: 'PUT', level: 'object', query: 'acl', op: 'PutObjectAcl' },
  { method: 'GET', level: 'object', query: 'attributes', op: 'GetObjectAttributes' },
  { method: 'GET', level: 'object', query: 'retention', op: 'GetObjectRetention' },
  { method: 'PUT', level: 'object', query: 'retention', op: 'PutObjectRetention' },
  { method: 'GET', level: 'object', query: 'legal-hold', op: 'GetObjectLegalHold' },
  { method: 'PUT', level: 'object', query: 'legal-hold', op: 'PutObjectLegalHold' },
  { method: 'GET', level: 'object', query: 'torrent', op: 'GetObjectTorrent' },
  { method: 'POST', level: 'object', query: 'restore', op: 'RestoreObject' },
  { method: 'POST', level: 'object', query: 'select', op: 'SelectObjectContent' },
  { method: 'PUT', level: 'object', header: 'x-amz-copy-source', op: 'CopyObject' },
  { method: 'PUT', level: 'object', op: 'PutObject' },
  { method: 'GET', level: 'object', op: 'GetObject' },
  { method: 'HEAD', level: 'object', op: 'HeadObject' },
  { method: 'DELETE', level: 'object', op: 'DeleteObject' },
] as const satisfies readonly OperationRule[];

export type OperationName = (typeof operationRules)[number]['op'];

export interface RouteInput {
  method: string;
  level: TargetLevel;
  query: URLSearchParams;
  headers: Map<string, string>;
}

/** The operation a request asks for, or undefined when no row matches (→ MethodNotAllowed or NotImplemented). */
export function resolveOperation(input: RouteInput): OperationName | undefined {
  for (const rule of operationRules as readonly OperationRule[]) {
    if (rule.method !== input.method || rule.level !== input.level) continue;
    if (rule.query !== undefined && !input.query.has(rule.query)) continue;
    if (rule.header !== undefined && !input.headers.has(rule.header)) continue;
    return rule.op as OperationName;
  }
  return undefined;
}
