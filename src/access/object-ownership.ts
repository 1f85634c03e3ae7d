// S3 Object Ownership ("Controlling ownership of objects and disabling ACLs for your bucket"): who owns an object
// written to a bucket, and whether ACLs take part in access decisions at all.
import type { BucketSettings, ObjectOwnership } from '../storage/metadata-index.js';

/** S3's setting for new buckets since April 2023, and sklad's. */
export const DEFAULT_OBJECT_OWNERSHIP: ObjectOwnership = 'BucketOwnerEnforced';

export const OBJECT_OWNERSHIPS: readonly ObjectOwnership[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

type OwnershipFacts = Pick<BucketSettings, 'owner' | 'objectOwnership'>;

/** "Bucket owner enforced": ACLs are disabled and the bucket owner owns every object, old ones included. */
export function aclsDisabled(bucket: OwnershipFacts): boolean {
  return bucket.objectOwnership === 'BucketOwnerEnforced';
}

/**
 * The owner of a new object: the bucket owner under "Bucket owner enforced", and under "Bucket owner preferred"
 * when the writer sent the bucket-owner-full-control canned ACL; the writer otherwise (ObjectWriter, and a bucket
 * without ownership controls, which S3 treats as ObjectWriter).
 */
export function newObjectOwner(bucket: OwnershipFacts, writer: string, cannedAcl: string | undefined): string {
  switch (bucket.objectOwnership) {
    case 'BucketOwnerEnforced':
      return bucket.owner;
    case 'BucketOwnerPreferred':
      return cannedAcl === 'bucket-owner-full-control' ? bucket.owner : writer;
    default:
      return writer;
  }
}

/** The owner of a stored object: as recorded at write time, except that an enforcing bucket's owner owns all. */
export function objectOwner(bucket: OwnershipFacts, recordedOwner: string): string {
  return aclsDisabled(bucket) ? bucket.owner : recordedOwner;
}
