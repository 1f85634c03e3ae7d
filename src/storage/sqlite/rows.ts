// Row shapes of the SQLite schema and their conversion to and from the index's records.
import type {
  BlobRef,
  BucketRecord,
  ChecksumAlgorithm,
  ChecksumType,
  ContentHeaders,
  ObjectEncryption,
  ObjectMetadata,
  ObjectPart,
  ObjectRecord,
  ObjectSummary,
  PartRecord,
  Retention,
  RetentionMode,
  Tag,
  UploadRecord,
  VersionSummary,
} from '../metadata-index.js';
import type { CurrentObjectState } from '../write-condition.js';
import type { VersionLock } from '../object-lock.js';
import type { Quota } from '../identity-index.js';
import { readSettings, settingColumns, type BucketRow } from './bucket-columns.js';

export type { BucketRow } from './bucket-columns.js';

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
  quarantined: number;
  encryption: string | null;
  verify_crc32c: string | null;
  retention_mode: RetentionMode | null;
  retain_until: number | null;
  legal_hold: number;
  version_seq: number;
}

/** An object's row with its blobs beside it: a JSON array of [blob_id, size] pairs in order. */
export interface ObjectRowWithBlobs extends ObjectRow {
  blobs: string;
}

/** What ListObjectVersions shows of a version: no JSON columns. */
export interface VersionRow extends SummaryRow {
  version_id: string;
  delete_marker: number;
  retention_mode: RetentionMode | null;
  retain_until: number | null;
  legal_hold: number;
  version_seq: number;
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

/** What a write needs to know about the version it may replace: conditions, locks, order. */
export interface CurrentRow {
  version_id: string;
  etag: string;
  delete_marker: number;
  size: number;
  last_modified: number;
  retention_mode: RetentionMode | null;
  retain_until: number | null;
  legal_hold: number;
  version_seq: number;
}

export interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: number;
  owner: string;
  storage_class: string;
  content_headers: string;
  user_metadata: string;
  tags: string;
  acl: string;
  checksum_algorithm: ChecksumAlgorithm | null;
  checksum_type: ChecksumType | null;
  encryption: string | null;
  retention_mode: RetentionMode | null;
  retain_until: number | null;
  legal_hold: number;
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  blob_id: string;
  size: number;
  etag: string;
  last_modified: number;
  checksum_crc32: string | null;
  checksum_crc32c: string | null;
  checksum_crc64nvme: string | null;
  checksum_sha1: string | null;
  checksum_sha256: string | null;
  verify_crc32c: string | null;
}

/** One nullable column per checksum algorithm, so no JSON is parsed when parts are listed. */
const PART_CHECKSUM_COLUMNS = {
  CRC32: 'checksum_crc32',
  CRC32C: 'checksum_crc32c',
  CRC64NVME: 'checksum_crc64nvme',
  SHA1: 'checksum_sha1',
  SHA256: 'checksum_sha256',
} as const satisfies Record<ChecksumAlgorithm, keyof PartRow>;

const CHECKSUM_ALGORITHMS = Object.keys(PART_CHECKSUM_COLUMNS) as ChecksumAlgorithm[];

export function toBucketRow(bucket: BucketRecord): BucketRow {
  return {
    name: bucket.name,
    region: bucket.region,
    created_at: bucket.createdAt.getTime(),
    ...(settingColumns(bucket) as Omit<BucketRow, 'name' | 'region' | 'created_at'>),
  };
}

/** A quota from its two nullable columns; undefined when neither limit is set. */
export function toQuota(maxBytes: number | null, maxObjects: number | null): Quota | undefined {
  if (maxBytes === null && maxObjects === null) return undefined;
  const quota: Quota = {};
  if (maxBytes !== null) quota.maxBytes = maxBytes;
  if (maxObjects !== null) quota.maxObjects = maxObjects;
  return quota;
}

function encryptionColumn(encryption: ObjectEncryption | undefined): string | null {
  return encryption === undefined ? null : JSON.stringify(encryption);
}

export function toBucketRecord(row: BucketRow): BucketRecord {
  return { name: row.name, region: row.region, createdAt: new Date(row.created_at), ...readSettings(row) };
}

/** `sequence`: the version's place among its key's versions (1, 2, …, newest greatest). */
export function toObjectRow(record: ObjectRecord, sequence = 1): ObjectRow {
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
    quarantined: record.quarantined ? 1 : 0,
    encryption: encryptionColumn(record.encryption),
    verify_crc32c: record.verifyCrc32c ?? null,
    retention_mode: record.retention?.mode ?? null,
    retain_until: record.retention?.retainUntil.getTime() ?? null,
    legal_hold: record.legalHold ? 1 : 0,
    version_seq: sequence,
  };
}

function retentionOf(row: { retention_mode: RetentionMode | null; retain_until: number | null }): Retention | undefined {
  return row.retention_mode === null || row.retain_until === null ? undefined : { mode: row.retention_mode, retainUntil: new Date(row.retain_until) };
}

/** The lock facts of a stored version. */
export function lockOf(row: { retention_mode: RetentionMode | null; retain_until: number | null; legal_hold: number }): VersionLock {
  const retention = retentionOf(row);
  return { ...(retention ? { retention } : {}), legalHold: row.legal_hold === 1 };
}

export function conditionState(row: CurrentRow): CurrentObjectState {
  return { etag: row.etag, deleteMarker: row.delete_marker === 1, lastModified: new Date(row.last_modified), size: row.size };
}

export function toVersionSummary(row: VersionRow, isLatest: boolean): VersionSummary {
  const summary: VersionSummary = { ...toObjectSummary(row), versionId: row.version_id, isLatest, deleteMarker: row.delete_marker === 1 };
  const retention = retentionOf(row);
  if (retention) summary.retention = retention;
  if (row.legal_hold === 1) summary.legalHold = true;
  return summary;
}

export function toObjectRecord(row: ObjectRow, blobs: BlobRow[]): ObjectRecord {
  return Object.assign(toObjectMetadata(row), { blobs: blobs.map((blob): BlobRef => ({ id: blob.blob_id, size: blob.size })) });
}

export function toObjectMetadata(row: ObjectRow): ObjectMetadata {
  const record: ObjectMetadata = {
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
    deleteMarker: row.delete_marker === 1,
  };
  if (row.checksum_algorithm !== null && row.checksum_type !== null && row.checksum_value !== null) {
    record.checksum = { algorithm: row.checksum_algorithm, type: row.checksum_type, value: row.checksum_value };
  }
  if (row.parts !== null) record.parts = JSON.parse(row.parts) as ObjectPart[];
  if (row.quarantined === 1) record.quarantined = true;
  if (row.encryption !== null) record.encryption = JSON.parse(row.encryption) as ObjectEncryption;
  if (row.verify_crc32c !== null) record.verifyCrc32c = row.verify_crc32c;
  const retention = retentionOf(row);
  if (retention) record.retention = retention;
  if (row.legal_hold === 1) record.legalHold = true;
  return record;
}

/** The record of a row read together with its blobs (statements' BLOBS_OF_ROW). */
export function toObjectRecordWithBlobs(row: ObjectRowWithBlobs): ObjectRecord {
  const pairs = JSON.parse(row.blobs) as [string, number][];
  return toObjectRecord(row, pairs.map(([blob_id, size]) => ({ blob_id, size })));
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

export function toUploadRow(upload: UploadRecord): UploadRow {
  return {
    upload_id: upload.uploadId,
    bucket: upload.bucket,
    key: upload.key,
    initiated: upload.initiated.getTime(),
    owner: upload.owner,
    storage_class: upload.storageClass,
    content_headers: JSON.stringify(upload.contentHeaders),
    user_metadata: JSON.stringify(upload.userMetadata),
    tags: JSON.stringify(upload.tags),
    acl: upload.acl,
    checksum_algorithm: upload.checksumAlgorithm ?? null,
    checksum_type: upload.checksumType ?? null,
    encryption: encryptionColumn(upload.encryption),
    retention_mode: upload.retention?.mode ?? null,
    retain_until: upload.retention?.retainUntil.getTime() ?? null,
    legal_hold: upload.legalHold ? 1 : 0,
  };
}

export function toUploadRecord(row: UploadRow): UploadRecord {
  const upload: UploadRecord = {
    uploadId: row.upload_id,
    bucket: row.bucket,
    key: row.key,
    initiated: new Date(row.initiated),
    owner: row.owner,
    storageClass: row.storage_class,
    contentHeaders: JSON.parse(row.content_headers) as ContentHeaders,
    userMetadata: JSON.parse(row.user_metadata) as Record<string, string>,
    tags: JSON.parse(row.tags) as Tag[],
    acl: row.acl,
  };
  if (row.checksum_algorithm !== null) upload.checksumAlgorithm = row.checksum_algorithm;
  if (row.checksum_type !== null) upload.checksumType = row.checksum_type;
  if (row.encryption !== null) upload.encryption = JSON.parse(row.encryption) as ObjectEncryption;
  const retention = retentionOf(row);
  if (retention) upload.retention = retention;
  if (row.legal_hold === 1) upload.legalHold = true;
  return upload;
}

export function toPartRow(part: PartRecord): PartRow {
  const row: PartRow = {
    upload_id: part.uploadId,
    part_number: part.partNumber,
    blob_id: part.blob.id,
    size: part.blob.size,
    etag: part.etag,
    last_modified: part.lastModified.getTime(),
    checksum_crc32: null,
    checksum_crc32c: null,
    checksum_crc64nvme: null,
    checksum_sha1: null,
    checksum_sha256: null,
    verify_crc32c: part.verifyCrc32c ?? null,
  };
  for (const algorithm of CHECKSUM_ALGORITHMS) row[PART_CHECKSUM_COLUMNS[algorithm]] = part.checksums[algorithm] ?? null;
  return row;
}

export function toPartRecord(row: PartRow): PartRecord {
  const checksums: PartRecord['checksums'] = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = row[PART_CHECKSUM_COLUMNS[algorithm]];
    if (value !== null) checksums[algorithm] = value;
  }
  const part: PartRecord = {
    uploadId: row.upload_id,
    partNumber: row.part_number,
    blob: { id: row.blob_id, size: row.size },
    etag: row.etag,
    lastModified: new Date(row.last_modified),
    checksums,
  };
  if (row.verify_crc32c !== null) part.verifyCrc32c = row.verify_crc32c;
  return part;
}
