// Records and assertions the MetadataIndex contract suite builds its cases from.
import { expect } from 'vitest';
import { S3Error, type S3ErrorCode } from '../../src/errors/s3-error.js';
import type { BucketRecord, ObjectRecord, PartRecord, UploadRecord } from '../../src/storage/metadata-index.js';

export const OWNER = 'owner-1';

export function bucketRecord(name: string, overrides: Partial<BucketRecord> = {}): BucketRecord {
  return {
    name,
    owner: OWNER,
    region: 'us-east-1',
    createdAt: new Date(1_700_000_000_123),
    acl: 'private',
    versioning: 'Unversioned',
    ...overrides,
  };
}

let blobCounter = 0;
/** A fresh, distinct blob id in the shape the disk store makes. */
export function blobId(): string {
  blobCounter += 1;
  return blobCounter.toString(16).padStart(32, '0');
}

export function objectRecord(bucket: string, key: string, overrides: Partial<ObjectRecord> = {}): ObjectRecord {
  const id = blobId();
  return {
    bucket,
    key,
    versionId: 'null',
    size: 11,
    etag: 'd41d8cd98f00b204e9800998ecf8427e',
    lastModified: new Date(1_700_000_100_456),
    owner: OWNER,
    storageClass: 'STANDARD',
    contentHeaders: {},
    userMetadata: {},
    tags: [],
    acl: 'private',
    blobs: [{ id, size: 11 }],
    deleteMarker: false,
    ...overrides,
  };
}

let uploadCounter = 0;
/** A fresh, distinct upload id. */
export function uploadId(): string {
  uploadCounter += 1;
  return `upload-${uploadCounter.toString(36).padStart(8, '0')}`;
}

export function uploadRecord(bucket: string, key: string, overrides: Partial<UploadRecord> = {}): UploadRecord {
  return {
    uploadId: uploadId(),
    bucket,
    key,
    initiated: new Date(1_700_000_200_789),
    owner: OWNER,
    storageClass: 'STANDARD',
    contentHeaders: {},
    userMetadata: {},
    tags: [],
    acl: 'private',
    ...overrides,
  };
}

export function partRecord(upload: string, partNumber: number, overrides: Partial<PartRecord> = {}): PartRecord {
  return {
    uploadId: upload,
    partNumber,
    blob: { id: blobId(), size: 5 },
    etag: `etag-${partNumber}`,
    lastModified: new Date(1_700_000_300_000 + partNumber),
    checksums: {},
    ...overrides,
  };
}

/** Awaits `promise`, expects it to reject with an S3Error of `code`, and returns that error. */
export async function expectS3Error(promise: Promise<unknown>, code: S3ErrorCode): Promise<S3Error> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(S3Error);
  expect((error as S3Error).code).toBe(code);
  return error as S3Error;
}
