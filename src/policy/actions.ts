// The catalogue of known s3:* actions with their resource types, after the AWS Service Authorization Reference
// page "Actions, resources, and condition keys for Amazon S3": policy validation checks names against it. Which
// action each S3 operation needs is a column of the operation table (s3/operations.ts).

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

/** The resource ARN a request is authorized against: "*" for the service, the bucket ARN, or the object ARN. */
export function resourceArn(bucket?: string, key?: string): string {
  if (bucket === undefined || bucket === '') return '*';
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}
