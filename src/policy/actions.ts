// Which IAM action and resource each S3 operation is authorized as, after the AWS Service Authorization Reference
// page "Actions, resources, and condition keys for Amazon S3" and the per-operation "Permissions" notes of the
// S3 API reference. Also the catalogue of known s3:* actions that policy validation checks names against.

import type { OperationName } from '../http/operations.js';

export type ResourceLevel = 'service' | 'bucket' | 'object';

/**
 * Every s3 action a policy may name, with the resource type it is authorized against. Policies naming an action
 * (or a wildcard matching no action) outside this list are rejected like AWS rejects them ("Policy has invalid
 * action"). Access-point, job and Storage Lens actions are listed as 'service' because sklad has none of those
 * resources; they can appear in identity policies but never apply to a bucket.
 */
export const S3_ACTIONS: Readonly<Record<string, ResourceLevel>> = {
  // Object resources (arn:aws:s3:::bucket/key).
  's3:AbortMultipartUpload': 'object',
  's3:BypassGovernanceRetention': 'object',
  's3:DeleteObject': 'object',
  's3:DeleteObjectTagging': 'object',
  's3:DeleteObjectVersion': 'object',
  's3:DeleteObjectVersionTagging': 'object',
  's3:GetObject': 'object',
  's3:GetObjectAcl': 'object',
  's3:GetObjectAttributes': 'object',
  's3:GetObjectLegalHold': 'object',
  's3:GetObjectRetention': 'object',
  's3:GetObjectTagging': 'object',
  's3:GetObjectTorrent': 'object',
  's3:GetObjectVersion': 'object',
  's3:GetObjectVersionAcl': 'object',
  's3:GetObjectVersionAttributes': 'object',
  's3:GetObjectVersionForReplication': 'object',
  's3:GetObjectVersionTagging': 'object',
  's3:GetObjectVersionTorrent': 'object',
  's3:InitiateReplication': 'object',
  's3:ListMultipartUploadParts': 'object',
  's3:ObjectOwnerOverrideToBucketOwner': 'object',
  's3:PutObject': 'object',
  's3:PutObjectAcl': 'object',
  's3:PutObjectLegalHold': 'object',
  's3:PutObjectRetention': 'object',
  's3:PutObjectTagging': 'object',
  's3:PutObjectVersionAcl': 'object',
  's3:PutObjectVersionTagging': 'object',
  's3:ReplicateDelete': 'object',
  's3:ReplicateObject': 'object',
  's3:ReplicateTags': 'object',
  's3:RestoreObject': 'object',
  // Bucket resources (arn:aws:s3:::bucket).
  's3:CreateBucket': 'bucket',
  's3:DeleteBucket': 'bucket',
  's3:DeleteBucketOwnershipControls': 'bucket',
  's3:DeleteBucketPolicy': 'bucket',
  's3:DeleteBucketWebsite': 'bucket',
  's3:GetAccelerateConfiguration': 'bucket',
  's3:GetAnalyticsConfiguration': 'bucket',
  's3:GetBucketAcl': 'bucket',
  's3:GetBucketCORS': 'bucket',
  's3:GetBucketLocation': 'bucket',
  's3:GetBucketLogging': 'bucket',
  's3:GetBucketNotification': 'bucket',
  's3:GetBucketObjectLockConfiguration': 'bucket',
  's3:GetBucketOwnershipControls': 'bucket',
  's3:GetBucketPolicy': 'bucket',
  's3:GetBucketPolicyStatus': 'bucket',
  's3:GetBucketPublicAccessBlock': 'bucket',
  's3:GetBucketRequestPayment': 'bucket',
  's3:GetBucketTagging': 'bucket',
  's3:GetBucketVersioning': 'bucket',
  's3:GetBucketWebsite': 'bucket',
  's3:GetEncryptionConfiguration': 'bucket',
  's3:GetIntelligentTieringConfiguration': 'bucket',
  's3:GetInventoryConfiguration': 'bucket',
  's3:GetLifecycleConfiguration': 'bucket',
  's3:GetMetricsConfiguration': 'bucket',
  's3:GetReplicationConfiguration': 'bucket',
  's3:ListBucket': 'bucket',
  's3:ListBucketMultipartUploads': 'bucket',
  's3:ListBucketVersions': 'bucket',
  's3:PutAccelerateConfiguration': 'bucket',
  's3:PutAnalyticsConfiguration': 'bucket',
  's3:PutBucketAcl': 'bucket',
  's3:PutBucketCORS': 'bucket',
  's3:PutBucketLogging': 'bucket',
  's3:PutBucketNotification': 'bucket',
  's3:PutBucketObjectLockConfiguration': 'bucket',
  's3:PutBucketOwnershipControls': 'bucket',
  's3:PutBucketPolicy': 'bucket',
  's3:PutBucketPublicAccessBlock': 'bucket',
  's3:PutBucketRequestPayment': 'bucket',
  's3:PutBucketTagging': 'bucket',
  's3:PutBucketVersioning': 'bucket',
  's3:PutBucketWebsite': 'bucket',
  's3:PutEncryptionConfiguration': 'bucket',
  's3:PutIntelligentTieringConfiguration': 'bucket',
  's3:PutInventoryConfiguration': 'bucket',
  's3:PutLifecycleConfiguration': 'bucket',
  's3:PutMetricsConfiguration': 'bucket',
  's3:PutReplicationConfiguration': 'bucket',
  // Resource "*".
  's3:ListAllMyBuckets': 'service',
  's3:GetAccountPublicAccessBlock': 'service',
  's3:PutAccountPublicAccessBlock': 'service',
  's3:ListAccessPoints': 'service',
  's3:CreateJob': 'service',
  's3:ListJobs': 'service',
};

export interface ActionTarget {
  action: string;
  resource: ResourceLevel;
}

export interface ActionOptions {
  /**
   * The request names a specific object version (?versionId=…). AWS then authorizes the *Version variant
   * (GetObject → s3:GetObjectVersion, DeleteObject → s3:DeleteObjectVersion, …).
   */
  versioned?: boolean;
}

type Row = readonly [action: string, resource: ResourceLevel, versionedAction?: string];

// Deletes of bucket sub-resources are authorized as the matching Put action where AWS has no Delete action
// (e.g. DeleteBucketTagging needs s3:PutBucketTagging). HEAD requests need the action of the matching GET.
const OPERATIONS: Readonly<Record<OperationName, Row>> = {
  ListBuckets: ['s3:ListAllMyBuckets', 'service'],

  GetBucketLocation: ['s3:GetBucketLocation', 'bucket'],
  GetBucketVersioning: ['s3:GetBucketVersioning', 'bucket'],
  PutBucketVersioning: ['s3:PutBucketVersioning', 'bucket'],
  ListObjectVersions: ['s3:ListBucketVersions', 'bucket'],
  ListMultipartUploads: ['s3:ListBucketMultipartUploads', 'bucket'],
  GetBucketTagging: ['s3:GetBucketTagging', 'bucket'],
  PutBucketTagging: ['s3:PutBucketTagging', 'bucket'],
  DeleteBucketTagging: ['s3:PutBucketTagging', 'bucket'],
  GetBucketAcl: ['s3:GetBucketAcl', 'bucket'],
  PutBucketAcl: ['s3:PutBucketAcl', 'bucket'],
  GetBucketPolicy: ['s3:GetBucketPolicy', 'bucket'],
  PutBucketPolicy: ['s3:PutBucketPolicy', 'bucket'],
  DeleteBucketPolicy: ['s3:DeleteBucketPolicy', 'bucket'],
  GetBucketPolicyStatus: ['s3:GetBucketPolicyStatus', 'bucket'],
  GetBucketCors: ['s3:GetBucketCORS', 'bucket'],
  PutBucketCors: ['s3:PutBucketCORS', 'bucket'],
  DeleteBucketCors: ['s3:PutBucketCORS', 'bucket'],
  GetBucketLifecycleConfiguration: ['s3:GetLifecycleConfiguration', 'bucket'],
  PutBucketLifecycleConfiguration: ['s3:PutLifecycleConfiguration', 'bucket'],
  DeleteBucketLifecycle: ['s3:PutLifecycleConfiguration', 'bucket'],
  GetBucketEncryption: ['s3:GetEncryptionConfiguration', 'bucket'],
  PutBucketEncryption: ['s3:PutEncryptionConfiguration', 'bucket'],
  DeleteBucketEncryption: ['s3:PutEncryptionConfiguration', 'bucket'],
  GetObjectLockConfiguration: ['s3:GetBucketObjectLockConfiguration', 'bucket'],
  PutObjectLockConfiguration: ['s3:PutBucketObjectLockConfiguration', 'bucket'],
  GetPublicAccessBlock: ['s3:GetBucketPublicAccessBlock', 'bucket'],
  PutPublicAccessBlock: ['s3:PutBucketPublicAccessBlock', 'bucket'],
  DeletePublicAccessBlock: ['s3:PutBucketPublicAccessBlock', 'bucket'],
  GetBucketOwnershipControls: ['s3:GetBucketOwnershipControls', 'bucket'],
  PutBucketOwnershipControls: ['s3:PutBucketOwnershipControls', 'bucket'],
  GetBucketWebsite: ['s3:GetBucketWebsite', 'bucket'],
  PutBucketWebsite: ['s3:PutBucketWebsite', 'bucket'],
  DeleteBucketWebsite: ['s3:DeleteBucketWebsite', 'bucket'],
  GetBucketLogging: ['s3:GetBucketLogging', 'bucket'],
  PutBucketLogging: ['s3:PutBucketLogging', 'bucket'],
  GetBucketNotificationConfiguration: ['s3:GetBucketNotification', 'bucket'],
  PutBucketNotificationConfiguration: ['s3:PutBucketNotification', 'bucket'],
  GetBucketReplication: ['s3:GetReplicationConfiguration', 'bucket'],
  PutBucketReplication: ['s3:PutReplicationConfiguration', 'bucket'],
  DeleteBucketReplication: ['s3:PutReplicationConfiguration', 'bucket'],
  GetBucketAccelerateConfiguration: ['s3:GetAccelerateConfiguration', 'bucket'],
  PutBucketAccelerateConfiguration: ['s3:PutAccelerateConfiguration', 'bucket'],
  GetBucketRequestPayment: ['s3:GetBucketRequestPayment', 'bucket'],
  PutBucketRequestPayment: ['s3:PutBucketRequestPayment', 'bucket'],
  GetBucketAnalyticsConfiguration: ['s3:GetAnalyticsConfiguration', 'bucket'],
  GetBucketInventoryConfiguration: ['s3:GetInventoryConfiguration', 'bucket'],
  GetBucketMetricsConfiguration: ['s3:GetMetricsConfiguration', 'bucket'],
  GetBucketIntelligentTieringConfiguration: ['s3:GetIntelligentTieringConfiguration', 'bucket'],
  // CreateSession belongs to directory buckets (s3express); no s3 action grants it, so only owners and root pass.
  CreateSession: ['s3express:CreateSession', 'bucket'],
  // Each key of a multi-object delete is authorized separately by the caller.
  DeleteObjects: ['s3:DeleteObject', 'object', 's3:DeleteObjectVersion'],
  ListObjectsV2: ['s3:ListBucket', 'bucket'],
  ListObjects: ['s3:ListBucket', 'bucket'],
  HeadBucket: ['s3:ListBucket', 'bucket'],
  CreateBucket: ['s3:CreateBucket', 'bucket'],
  DeleteBucket: ['s3:DeleteBucket', 'bucket'],
  // A browser-form upload writes the object named by the form's key field.
  PostObject: ['s3:PutObject', 'object'],

  // Every step of a multipart upload is authorized as s3:PutObject, except listing parts and aborting.
  CreateMultipartUpload: ['s3:PutObject', 'object'],
  CompleteMultipartUpload: ['s3:PutObject', 'object'],
  UploadPartCopy: ['s3:PutObject', 'object'],
  UploadPart: ['s3:PutObject', 'object'],
  ListParts: ['s3:ListMultipartUploadParts', 'object'],
  AbortMultipartUpload: ['s3:AbortMultipartUpload', 'object'],
  GetObjectTagging: ['s3:GetObjectTagging', 'object', 's3:GetObjectVersionTagging'],
  PutObjectTagging: ['s3:PutObjectTagging', 'object', 's3:PutObjectVersionTagging'],
  DeleteObjectTagging: ['s3:DeleteObjectTagging', 'object', 's3:DeleteObjectVersionTagging'],
  GetObjectAcl: ['s3:GetObjectAcl', 'object', 's3:GetObjectVersionAcl'],
  PutObjectAcl: ['s3:PutObjectAcl', 'object', 's3:PutObjectVersionAcl'],
  GetObjectAttributes: ['s3:GetObjectAttributes', 'object', 's3:GetObjectVersionAttributes'],
  GetObjectRetention: ['s3:GetObjectRetention', 'object'],
  PutObjectRetention: ['s3:PutObjectRetention', 'object'],
  GetObjectLegalHold: ['s3:GetObjectLegalHold', 'object'],
  PutObjectLegalHold: ['s3:PutObjectLegalHold', 'object'],
  GetObjectTorrent: ['s3:GetObjectTorrent', 'object', 's3:GetObjectVersionTorrent'],
  RestoreObject: ['s3:RestoreObject', 'object'],
  SelectObjectContent: ['s3:GetObject', 'object'],
  // The destination of a copy; the caller also checks s3:GetObject on the source.
  CopyObject: ['s3:PutObject', 'object'],
  PutObject: ['s3:PutObject', 'object'],
  GetObject: ['s3:GetObject', 'object', 's3:GetObjectVersion'],
  HeadObject: ['s3:GetObject', 'object', 's3:GetObjectVersion'],
  DeleteObject: ['s3:DeleteObject', 'object', 's3:DeleteObjectVersion'],
};

/** The IAM action and resource level an S3 operation is authorized as. Throws for an unknown operation name. */
export function s3ActionFor(operation: string, opts: ActionOptions = {}): ActionTarget {
  const row = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation as OperationName] : undefined;
  if (!row) throw new Error(`No S3 action is known for operation ${operation}`);
  const [action, resource, versionedAction] = row;
  return { action: opts.versioned && versionedAction ? versionedAction : action, resource };
}

/** The resource ARN a request is authorized against: "*" for the service, the bucket ARN, or the object ARN. */
export function resourceArn(bucket?: string, key?: string): string {
  if (bucket === undefined || bucket === '') return '*';
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}
