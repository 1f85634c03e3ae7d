// The single registry of implemented S3 operations; anything absent answers NotImplemented.
import type { OperationName } from '../../http/operations.js';
import type { Handler } from '../context.js';
import { createBucket, deleteBucket, getBucketLocation, getBucketVersioning, headBucket } from './bucket.js';
import { deleteObject } from './delete.js';
import { getObject, headObject } from './get.js';
import { listObjects, listObjectsV2 } from './list.js';
import { putObject } from './put.js';
import { listBuckets } from './service.js';

export const handlers: Partial<Record<OperationName, Handler>> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketVersioning: getBucketVersioning,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
};
