// One row of facts per S3 operation: how a request selects it (method, target level, sub-resource, header), the
// IAM action it is authorized as, who authorizes it, whether the bucket must exist, whether it only reads (for
// the audit log), and the handler that answers it. Dispatch and the audit log read these facts; nothing else
// names operations. Rows are tried in order; the first match wins, so more specific rows come first. A row
// without a handler is a known S3 operation this server answers with NotImplemented.
//
// Actions follow the AWS Service Authorization Reference ("Actions, resources, and condition keys for Amazon
// S3") and the per-operation "Permissions" notes of the S3 API reference: deletes of bucket sub-resources are
// authorized as the matching Put action where AWS has no Delete action (DeleteBucketTagging needs
// s3:PutBucketTagging), HEAD needs the action of the matching GET, and every step of a multipart upload is
// s3:PutObject except listing parts and aborting.
import type { Handler } from './context.js';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './handlers/acl.js';
import { getObjectAttributes } from './handlers/attributes.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket } from './handlers/bucket.js';
import {
  getObjectLegalHold, getObjectLockConfiguration, getObjectRetention, putObjectLegalHold, putObjectLockConfiguration, putObjectRetention,
} from './handlers/object-lock.js';
import { getBucketVersioning, listObjectVersions, putBucketVersioning } from './handlers/versioning.js';
import { deleteBucketCors, getBucketCors, putBucketCors } from './handlers/bucket-cors.js';
import { deleteBucketWebsite, getBucketWebsite, putBucketWebsite } from './handlers/bucket-website.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './handlers/bucket-encryption.js';
import { deleteBucketLifecycle, getBucketLifecycleConfiguration, putBucketLifecycleConfiguration } from './handlers/bucket-lifecycle.js';
import { copyObject } from './handlers/copy.js';
import { deleteObject, deleteObjects } from './handlers/delete.js';
import { getObject, headObject } from './handlers/get.js';
import { listObjects, listObjectsV2 } from './handlers/list.js';
import {
  abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, uploadPart, uploadPartCopy,
} from './handlers/multipart.js';
import { deleteBucketPolicy, getBucketPolicy, getBucketPolicyStatus, putBucketPolicy } from './handlers/bucket-policy.js';
import { deletePublicAccessBlock, getPublicAccessBlock, putPublicAccessBlock } from './handlers/public-access-block.js';
import { deleteBucketOwnershipControls, getBucketOwnershipControls, putBucketOwnershipControls } from './handlers/ownership-controls.js';
import { postObject } from './handlers/post-object.js';
import { putObject } from './handlers/put.js';
import { listBuckets } from './handlers/service.js';
import {
  deleteBucketTagging, deleteObjectTagging, getBucketTagging, getObjectTagging, putBucketTagging, putObjectTagging,
} from './handlers/tagging.js';

export type TargetLevel = 'service' | 'bucket' | 'object';

export interface OperationRow {
  name: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  level: TargetLevel;
  /** Query parameter that selects the operation (present, any value). */
  query?: string;
  /** Request header that selects the operation (present, any value). */
  header?: string;
  /** The IAM action the request is authorized as; its resource type is in policy/actions.ts's catalogue. */
  action: string;
  /** The action when the request names an object version (?versionId=…), as AWS authorizes it. */
  versionedAction?: string;
  /** Reads only; reads are audited only when refused. */
  readOnly: boolean;
  /**
   * 'handler': dispatch asks nothing and the handler authorizes each resource it touches (each key of a
   * multi-object delete), or authorizes with condition keys only the body holds (PutObjectTagging's tags).
   */
  authorizedBy?: 'handler';
  /** Dispatch does not answer NoSuchBucket when the bucket is absent (CreateBucket). */
  bucketMayBeAbsent?: true;
  handler?: Handler;
}

export const operations = [
  { name: 'ListBuckets', method: 'GET', level: 'service', action: 's3:ListAllMyBuckets', readOnly: true, handler: listBuckets },
  { name: 'GetBucketLocation', method: 'GET', level: 'bucket', query: 'location', action: 's3:GetBucketLocation', readOnly: true, handler: getBucketLocation },
  { name: 'GetBucketVersioning', method: 'GET', level: 'bucket', query: 'versioning', action: 's3:GetBucketVersioning', readOnly: true, handler: getBucketVersioning },
  { name: 'PutBucketVersioning', method: 'PUT', level: 'bucket', query: 'versioning', action: 's3:PutBucketVersioning', readOnly: false, handler: putBucketVersioning },
  { name: 'ListObjectVersions', method: 'GET', level: 'bucket', query: 'versions', action: 's3:ListBucketVersions', readOnly: true, handler: listObjectVersions },
  { name: 'ListMultipartUploads', method: 'GET', level: 'bucket', query: 'uploads', action: 's3:ListBucketMultipartUploads', readOnly: true, handler: listMultipartUploads },
  { name: 'GetBucketTagging', method: 'GET', level: 'bucket', query: 'tagging', action: 's3:GetBucketTagging', readOnly: true, handler: getBucketTagging },
  { name: 'PutBucketTagging', method: 'PUT', level: 'bucket', query: 'tagging', action: 's3:PutBucketTagging', readOnly: false, handler: putBucketTagging },
  { name: 'DeleteBucketTagging', method: 'DELETE', level: 'bucket', query: 'tagging', action: 's3:PutBucketTagging', readOnly: false, handler: deleteBucketTagging },
  { name: 'GetBucketAcl', method: 'GET', level: 'bucket', query: 'acl', action: 's3:GetBucketAcl', readOnly: true, handler: getBucketAcl },
  { name: 'PutBucketAcl', method: 'PUT', level: 'bucket', query: 'acl', action: 's3:PutBucketAcl', readOnly: false, handler: putBucketAcl },
  { name: 'GetBucketPolicy', method: 'GET', level: 'bucket', query: 'policy', action: 's3:GetBucketPolicy', readOnly: true, handler: getBucketPolicy },
  { name: 'PutBucketPolicy', method: 'PUT', level: 'bucket', query: 'policy', action: 's3:PutBucketPolicy', readOnly: false, handler: putBucketPolicy },
  { name: 'DeleteBucketPolicy', method: 'DELETE', level: 'bucket', query: 'policy', action: 's3:DeleteBucketPolicy', readOnly: false, handler: deleteBucketPolicy },
  { name: 'GetBucketPolicyStatus', method: 'GET', level: 'bucket', query: 'policyStatus', action: 's3:GetBucketPolicyStatus', readOnly: true, handler: getBucketPolicyStatus },
  { name: 'GetBucketCors', method: 'GET', level: 'bucket', query: 'cors', action: 's3:GetBucketCORS', readOnly: true, handler: getBucketCors },
  { name: 'PutBucketCors', method: 'PUT', level: 'bucket', query: 'cors', action: 's3:PutBucketCORS', readOnly: false, handler: putBucketCors },
  { name: 'DeleteBucketCors', method: 'DELETE', level: 'bucket', query: 'cors', action: 's3:PutBucketCORS', readOnly: false, handler: deleteBucketCors },
  { name: 'GetBucketLifecycleConfiguration', method: 'GET', level: 'bucket', query: 'lifecycle', action: 's3:GetLifecycleConfiguration', readOnly: true, handler: getBucketLifecycleConfiguration },
  { name: 'PutBucketLifecycleConfiguration', method: 'PUT', level: 'bucket', query: 'lifecycle', action: 's3:PutLifecycleConfiguration', readOnly: false, handler: putBucketLifecycleConfiguration },
  { name: 'DeleteBucketLifecycle', method: 'DELETE', level: 'bucket', query: 'lifecycle', action: 's3:PutLifecycleConfiguration', readOnly: false, handler: deleteBucketLifecycle },
  { name: 'GetBucketEncryption', method: 'GET', level: 'bucket', query: 'encryption', action: 's3:GetEncryptionConfiguration', readOnly: true, handler: getBucketEncryption },
  { name: 'PutBucketEncryption', method: 'PUT', level: 'bucket', query: 'encryption', action: 's3:PutEncryptionConfiguration', readOnly: false, handler: putBucketEncryption },
  { name: 'DeleteBucketEncryption', method: 'DELETE', level: 'bucket', query: 'encryption', action: 's3:PutEncryptionConfiguration', readOnly: false, handler: deleteBucketEncryption },
  { name: 'GetObjectLockConfiguration', method: 'GET', level: 'bucket', query: 'object-lock', action: 's3:GetBucketObjectLockConfiguration', readOnly: true, handler: getObjectLockConfiguration },
  { name: 'PutObjectLockConfiguration', method: 'PUT', level: 'bucket', query: 'object-lock', action: 's3:PutBucketObjectLockConfiguration', readOnly: false, handler: putObjectLockConfiguration },
  { name: 'GetPublicAccessBlock', method: 'GET', level: 'bucket', query: 'publicAccessBlock', action: 's3:GetBucketPublicAccessBlock', readOnly: true, handler: getPublicAccessBlock },
  { name: 'PutPublicAccessBlock', method: 'PUT', level: 'bucket', query: 'publicAccessBlock', action: 's3:PutBucketPublicAccessBlock', readOnly: false, handler: putPublicAccessBlock },
  { name: 'DeletePublicAccessBlock', method: 'DELETE', level: 'bucket', query: 'publicAccessBlock', action: 's3:PutBucketPublicAccessBlock', readOnly: false, handler: deletePublicAccessBlock },
  { name: 'GetBucketOwnershipControls', method: 'GET', level: 'bucket', query: 'ownershipControls', action: 's3:GetBucketOwnershipControls', readOnly: true, handler: getBucketOwnershipControls },
  { name: 'PutBucketOwnershipControls', method: 'PUT', level: 'bucket', query: 'ownershipControls', action: 's3:PutBucketOwnershipControls', readOnly: false, handler: putBucketOwnershipControls },
  { name: 'DeleteBucketOwnershipControls', method: 'DELETE', level: 'bucket', query: 'ownershipControls', action: 's3:PutBucketOwnershipControls', readOnly: false, handler: deleteBucketOwnershipControls },
  { name: 'GetBucketWebsite', method: 'GET', level: 'bucket', query: 'website', action: 's3:GetBucketWebsite', readOnly: true, handler: getBucketWebsite },
  { name: 'PutBucketWebsite', method: 'PUT', level: 'bucket', query: 'website', action: 's3:PutBucketWebsite', readOnly: false, handler: putBucketWebsite },
  { name: 'DeleteBucketWebsite', method: 'DELETE', level: 'bucket', query: 'website', action: 's3:DeleteBucketWebsite', readOnly: false, handler: deleteBucketWebsite },
  { name: 'GetBucketLogging', method: 'GET', level: 'bucket', query: 'logging', action: 's3:GetBucketLogging', readOnly: true },
  { name: 'PutBucketLogging', method: 'PUT', level: 'bucket', query: 'logging', action: 's3:PutBucketLogging', readOnly: false },
  { name: 'GetBucketNotificationConfiguration', method: 'GET', level: 'bucket', query: 'notification', action: 's3:GetBucketNotification', readOnly: true },
  { name: 'PutBucketNotificationConfiguration', method: 'PUT', level: 'bucket', query: 'notification', action: 's3:PutBucketNotification', readOnly: false },
  { name: 'GetBucketReplication', method: 'GET', level: 'bucket', query: 'replication', action: 's3:GetReplicationConfiguration', readOnly: true },
  { name: 'PutBucketReplication', method: 'PUT', level: 'bucket', query: 'replication', action: 's3:PutReplicationConfiguration', readOnly: false },
  { name: 'DeleteBucketReplication', method: 'DELETE', level: 'bucket', query: 'replication', action: 's3:PutReplicationConfiguration', readOnly: false },
  { name: 'GetBucketAccelerateConfiguration', method: 'GET', level: 'bucket', query: 'accelerate', action: 's3:GetAccelerateConfiguration', readOnly: true },
  { name: 'PutBucketAccelerateConfiguration', method: 'PUT', level: 'bucket', query: 'accelerate', action: 's3:PutAccelerateConfiguration', readOnly: false },
  { name: 'GetBucketRequestPayment', method: 'GET', level: 'bucket', query: 'requestPayment', action: 's3:GetBucketRequestPayment', readOnly: true },
  { name: 'PutBucketRequestPayment', method: 'PUT', level: 'bucket', query: 'requestPayment', action: 's3:PutBucketRequestPayment', readOnly: false },
  { name: 'GetBucketAnalyticsConfiguration', method: 'GET', level: 'bucket', query: 'analytics', action: 's3:GetAnalyticsConfiguration', readOnly: true },
  { name: 'GetBucketInventoryConfiguration', method: 'GET', level: 'bucket', query: 'inventory', action: 's3:GetInventoryConfiguration', readOnly: true },
  { name: 'GetBucketMetricsConfiguration', method: 'GET', level: 'bucket', query: 'metrics', action: 's3:GetMetricsConfiguration', readOnly: true },
  { name: 'GetBucketIntelligentTieringConfiguration', method: 'GET', level: 'bucket', query: 'intelligent-tiering', action: 's3:GetIntelligentTieringConfiguration', readOnly: true },
  { name: 'CreateSession', method: 'GET', level: 'bucket', query: 'session', action: 's3express:CreateSession', readOnly: false },
  { name: 'DeleteObjects', method: 'POST', level: 'bucket', query: 'delete', action: 's3:DeleteObject', versionedAction: 's3:DeleteObjectVersion', readOnly: false, authorizedBy: 'handler', handler: deleteObjects },
  { name: 'ListObjectsV2', method: 'GET', level: 'bucket', query: 'list-type', action: 's3:ListBucket', readOnly: true, handler: listObjectsV2 },
  { name: 'ListObjects', method: 'GET', level: 'bucket', action: 's3:ListBucket', readOnly: true, handler: listObjects },
  { name: 'HeadBucket', method: 'HEAD', level: 'bucket', action: 's3:ListBucket', readOnly: true, handler: headBucket },
  { name: 'CreateBucket', method: 'PUT', level: 'bucket', action: 's3:CreateBucket', readOnly: false, bucketMayBeAbsent: true, handler: createBucket },
  { name: 'DeleteBucket', method: 'DELETE', level: 'bucket', action: 's3:DeleteBucket', readOnly: false, handler: deleteBucket },
  { name: 'PostObject', method: 'POST', level: 'bucket', action: 's3:PutObject', readOnly: false, authorizedBy: 'handler', handler: postObject },
  { name: 'CreateMultipartUpload', method: 'POST', level: 'object', query: 'uploads', action: 's3:PutObject', readOnly: false, handler: createMultipartUpload },
  { name: 'CompleteMultipartUpload', method: 'POST', level: 'object', query: 'uploadId', action: 's3:PutObject', readOnly: false, handler: completeMultipartUpload },
  { name: 'UploadPartCopy', method: 'PUT', level: 'object', query: 'uploadId', header: 'x-amz-copy-source', action: 's3:PutObject', readOnly: false, handler: uploadPartCopy },
  { name: 'UploadPart', method: 'PUT', level: 'object', query: 'uploadId', action: 's3:PutObject', readOnly: false, handler: uploadPart },
  { name: 'ListParts', method: 'GET', level: 'object', query: 'uploadId', action: 's3:ListMultipartUploadParts', readOnly: true, handler: listParts },
  { name: 'AbortMultipartUpload', method: 'DELETE', level: 'object', query: 'uploadId', action: 's3:AbortMultipartUpload', readOnly: false, handler: abortMultipartUpload },
  { name: 'GetObjectTagging', method: 'GET', level: 'object', query: 'tagging', action: 's3:GetObjectTagging', versionedAction: 's3:GetObjectVersionTagging', readOnly: true, handler: getObjectTagging },
  { name: 'PutObjectTagging', method: 'PUT', level: 'object', query: 'tagging', action: 's3:PutObjectTagging', versionedAction: 's3:PutObjectVersionTagging', readOnly: false, authorizedBy: 'handler', handler: putObjectTagging },
  { name: 'DeleteObjectTagging', method: 'DELETE', level: 'object', query: 'tagging', action: 's3:DeleteObjectTagging', versionedAction: 's3:DeleteObjectVersionTagging', readOnly: false, handler: deleteObjectTagging },
  { name: 'GetObjectAcl', method: 'GET', level: 'object', query: 'acl', action: 's3:GetObjectAcl', versionedAction: 's3:GetObjectVersionAcl', readOnly: true, handler: getObjectAcl },
  { name: 'PutObjectAcl', method: 'PUT', level: 'object', query: 'acl', action: 's3:PutObjectAcl', versionedAction: 's3:PutObjectVersionAcl', readOnly: false, handler: putObjectAcl },
  { name: 'GetObjectAttributes', method: 'GET', level: 'object', query: 'attributes', action: 's3:GetObjectAttributes', versionedAction: 's3:GetObjectVersionAttributes', readOnly: true, handler: getObjectAttributes },
  { name: 'GetObjectRetention', method: 'GET', level: 'object', query: 'retention', action: 's3:GetObjectRetention', readOnly: true, handler: getObjectRetention },
  { name: 'PutObjectRetention', method: 'PUT', level: 'object', query: 'retention', action: 's3:PutObjectRetention', readOnly: false, handler: putObjectRetention },
  { name: 'GetObjectLegalHold', method: 'GET', level: 'object', query: 'legal-hold', action: 's3:GetObjectLegalHold', readOnly: true, handler: getObjectLegalHold },
  { name: 'PutObjectLegalHold', method: 'PUT', level: 'object', query: 'legal-hold', action: 's3:PutObjectLegalHold', readOnly: false, handler: putObjectLegalHold },
  { name: 'GetObjectTorrent', method: 'GET', level: 'object', query: 'torrent', action: 's3:GetObjectTorrent', versionedAction: 's3:GetObjectVersionTorrent', readOnly: true },
  { name: 'RestoreObject', method: 'POST', level: 'object', query: 'restore', action: 's3:RestoreObject', readOnly: false },
  { name: 'SelectObjectContent', method: 'POST', level: 'object', query: 'select', action: 's3:GetObject', readOnly: true },
  { name: 'CopyObject', method: 'PUT', level: 'object', header: 'x-amz-copy-source', action: 's3:PutObject', readOnly: false, handler: copyObject },
  { name: 'PutObject', method: 'PUT', level: 'object', action: 's3:PutObject', readOnly: false, handler: putObject },
  { name: 'GetObject', method: 'GET', level: 'object', action: 's3:GetObject', versionedAction: 's3:GetObjectVersion', readOnly: true, handler: getObject },
  { name: 'HeadObject', method: 'HEAD', level: 'object', action: 's3:GetObject', versionedAction: 's3:GetObjectVersion', readOnly: true, handler: headObject },
  { name: 'DeleteObject', method: 'DELETE', level: 'object', action: 's3:DeleteObject', versionedAction: 's3:DeleteObjectVersion', readOnly: false, handler: deleteObject },
] as const satisfies readonly OperationRow[];

export type OperationName = (typeof operations)[number]['name'];
export type Operation = OperationRow & { name: OperationName };

export interface RouteInput {
  method: string;
  level: TargetLevel;
  query: URLSearchParams;
  headers: Map<string, string>;
}

/** The operation a request asks for, or undefined when no row matches (→ MethodNotAllowed or NotImplemented). */
export function resolveOperation(input: RouteInput): Operation | undefined {
  for (const row of operations as readonly Operation[]) {
    if (row.method !== input.method || row.level !== input.level) continue;
    if (row.query !== undefined && !input.query.has(row.query)) continue;
    if (row.header !== undefined && !input.headers.has(row.header)) continue;
    return row;
  }
  return undefined;
}

/** The action a request for `operation` is authorized as: the versioned variant when it names a version. */
export function actionOf(operation: Operation, query: URLSearchParams): string {
  return operation.versionedAction !== undefined && query.has('versionId') ? operation.versionedAction : operation.action;
}
