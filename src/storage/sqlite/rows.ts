// Row shapes of the SQLite schema and their conversion to and from the index's records.
import type {
  BlobRef,
  BucketRecord,
  ChecksumAlgorithm,
  ChecksumType,
  ContentHeaders,
  ObjectPart,
  ObjectRecord,
  ObjectSummary,
  Tag,
} from '../metadata-index.js';

export interface BucketRow {
  name: string;
  owner: string;
  region: string;
  created_at: number;
  acl: string;
  versioning: BucketRecord['versioning'];
}

export interface ObjectRow {
  bucket: string;
  key: string;
  version_id: string;
  delete_marker: number;
  size: number;
  etag: string;
  last_modified: number;
  owner: string;
  storage_class: string;
  content_headers: string;
  user_metadata: string;
  tags: string;
  acl: string;
  checksum_algorithm: ChecksumAlgorithm | null;
  checksum_type: ChecksumType | null;
  checksum_value: string | null;
  parts: string | null;
}

/** Only what a listing entry shows: no JSON columns, so listing never parses JSON per row. */
export interface SummaryRow {
  key: string;
  size: number;
  etag: string;
  last_modified: number;
  owner: string;
  storage_class: string;
  checksum_algorithm: ChecksumAlgorithm | null;
  checksum_type: ChecksumType | null;
}

export interface BlobRow {
  blob_id: string;
  size: number;
}

export interface CurrentRow {
  version_id: string;
  etag: string;
  delete_marker: number;
}

export function toBucketRow(bucket: BucketRecord): BucketRow {
  return {
    name: bucket.name,
    owner: bucket.owner,
    region: bucket.region,
    created_at: bucket.createdAt.getTime(),
    acl: bucket.acl,
    versioning: bucket.versioning,
  };
}

export function toBucketRecord(row: BucketRow): BucketRecord {
  return {
    name: row.name,
    owner: row.owner,
    region: row.region,
    createdAt: new Date(row.created_at),
    acl: row.acl,
    versioning: row.versioning,
  };
}

export function toObjectRow(record: ObjectRecord): ObjectRow {
  return {
    bucket: record.bucket,
    key: record.key,
    version_id: record.versionId,
    delete_marker: record.deleteMarker ? 1 : 0,
    size: record.size,
    etag: record.etag,
    last_modified: record.lastModified.getTime(),
    owner: record.owner,
    storage_class: record.storageClass,
    content_headers: JSON.stringify(record.contentHeaders),
    user_metadata: JSON.stringify(record.userMetadata),
    tags: JSON.stringify(record.tags),
    acl: record.acl,
    checksum_algorithm: record.checksum?.algorithm ?? null,
    checksum_type: record.checksum?.type ?? null,
    checksum_value: record.checksum?.value ?? null,
    parts: record.parts === undefined ? null : JSON.stringify(record.parts),
  };
}

export function toObjectRecord(row: ObjectRow, blobs: BlobRow[]): ObjectRecord {
  const record: ObjectRecord = {
    bucket: row.bucket,
    key: row.key,
    versionId: row.version_id,
    size: row.size,
    etag: row.etag,
    lastModified: new Date(row.last_modified),
    owner: row.owner,
    storageClass: row.storage_class,
    contentHeaders: JSON.parse(row.content_headers) as ContentHeaders,
    userMetadata: JSON.parse(row.user_metadata) as Record<string, string>,
    tags: JSON.parse(row.tags) as Tag[],
    acl: row.acl,
    blobs: blobs.map((blob): BlobRef => ({ id: blob.blob_id, size: blob.size })),
    deleteMarker: row.delete_marker === 1,
  };
  if (row.checksum_algorithm !== null && row.checksum_type !== null && row.checksum_value !== null) {
    record.checksum = { algorithm: row.checksum_algorithm, type: row.checksum_type, value: row.checksum_value };
  }
  if (row.parts !== null) record.parts = JSON.parse(row.parts) as ObjectPart[];
  return record;
}

export function toObjectSummary(row: SummaryRow): ObjectSummary {
  const summary: ObjectSummary = {
    key: row.key,
    size: row.size,
    etag: row.etag,
    lastModified: new Date(row.last_modified),
    owner: row.owner,
    storageClass: row.storage_class,
  };
  if (row.checksum_algorithm !== null) summary.checksumAlgorithm = row.checksum_algorithm;
  if (row.checksum_type !== null) summary.checksumType = row.checksum_type;
  return summary;
}
