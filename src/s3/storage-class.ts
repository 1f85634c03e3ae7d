// x-amz-storage-class: every class is accepted and reported back; all are stored alike on this server.
import { S3Error } from '../errors/s3-error.js';

const storageClasses = new Set([
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING',
  'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR', 'OUTPOSTS', 'SNOW', 'EXPRESS_ONEZONE',
]);

export function storageClassFrom(headers: Map<string, string>): string {
  const value = headers.get('x-amz-storage-class');
  if (value === undefined || value === '') return 'STANDARD';
  if (!storageClasses.has(value)) throw new S3Error('InvalidStorageClass', { fields: { StorageClassRequested: value } });
  return value;
}
