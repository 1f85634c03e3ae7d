// GetObjectAttributes.
import { S3Error } from '../../errors/s3-error.js';
import type { GetObjectAttributesResponse } from '../../xml/shapes.js';
import type { S3Context } from '../context.js';
import { readAccess } from '../encryption.js';
import { xmlResponse, type S3Response } from '../respond.js';
import { nonNegativeInteger } from '../request-params.js';
import { requestedObject, versionHeaders } from '../versions.js';
import { httpDate } from '../wire-format.js';

const attributeNames = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);

export async function getObjectAttributes(ctx: S3Context): Promise<S3Response> {
  const wanted = new Set((ctx.headers.get('x-amz-object-attributes') ?? '').split(',').map((a) => a.trim()).filter(Boolean));
  if (wanted.size === 0 || [...wanted].some((a) => !attributeNames.has(a))) {
    throw new S3Error('InvalidArgument', { message: 'Invalid attribute name specified.', fields: { ArgumentName: 'x-amz-object-attributes' } });
  }
  const record = await requestedObject(ctx);
  readAccess(ctx, record.encryption, 'request'); // SSE-C objects answer only with their key, as on S3
  const doc: GetObjectAttributesResponse = {};
  // ETag is unquoted in this document, unlike everywhere else.
  if (wanted.has('ETag')) doc.ETag = record.etag;
  if (wanted.has('Checksum') && record.checksum) {
    doc.Checksum = { [`Checksum${record.checksum.algorithm}`]: record.checksum.value, ChecksumType: record.checksum.type };
  }
  if (wanted.has('ObjectParts') && record.parts) {
    const maxParts = Math.min(nonNegativeInteger(ctx.headers.get('x-amz-max-parts'), 'x-amz-max-parts', 1000), 1000);
    const marker = nonNegativeInteger(ctx.headers.get('x-amz-part-number-marker'), 'x-amz-part-number-marker', 0);
    const after = record.parts.filter((p) => p.partNumber > marker);
    const page = after.slice(0, maxParts);
    const truncated = after.length > page.length;
    const algorithm = record.checksum?.type === 'COMPOSITE' ? record.checksum.algorithm : undefined;
    doc.ObjectParts = {
      PartsCount: record.parts.length,
      PartNumberMarker: marker,
      ...(truncated ? { NextPartNumberMarker: page.at(-1)?.partNumber ?? marker } : {}),
      MaxParts: maxParts,
      IsTruncated: truncated,
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        Size: p.size,
        ...(algorithm && p.checksum ? { [`Checksum${algorithm}`]: p.checksum } : {}),
      })),
    };
  }
  if (wanted.has('StorageClass')) doc.StorageClass = record.storageClass;
  if (wanted.has('ObjectSize')) doc.ObjectSize = record.size;
  return xmlResponse('GetObjectAttributesResponse', doc, 200, { 'last-modified': httpDate(record.lastModified), ...versionHeaders(record, ctx.bucketRecord) });
}
