import { describe, expect, it } from 'vitest';
import { aclsDisabled, newObjectOwner, objectOwner } from './object-ownership.js';
import type { ObjectOwnership } from '../storage/metadata-index.js';

const bucket = (objectOwnership?: ObjectOwnership) => ({ owner: 'olga', ...(objectOwnership ? { objectOwnership } : {}) });

describe('object ownership', () => {
  it.each<[ObjectOwnership | undefined, string | undefined, string]>([
    ['BucketOwnerEnforced', undefined, 'olga'],
    ['BucketOwnerEnforced', 'bucket-owner-full-control', 'olga'],
    ['BucketOwnerPreferred', 'bucket-owner-full-control', 'olga'],
    ['BucketOwnerPreferred', undefined, 'wendy'],
    ['BucketOwnerPreferred', 'private', 'wendy'],
    ['ObjectWriter', 'bucket-owner-full-control', 'wendy'],
    // No ownership controls: S3 behaves as ObjectWriter.
    [undefined, undefined, 'wendy'],
  ])('%s with ACL %s: a new object belongs to %s', (ownership, canned, owner) => {
    expect(newObjectOwner(bucket(ownership), 'wendy', canned)).toBe(owner);
  });

  it('an enforcing bucket owns every stored object and disables ACLs; the others keep the recorded owner', () => {
    expect(objectOwner(bucket('BucketOwnerEnforced'), 'wendy')).toBe('olga');
    expect(aclsDisabled(bucket('BucketOwnerEnforced'))).toBe(true);
    for (const ownership of ['BucketOwnerPreferred', 'ObjectWriter', undefined] as const) {
      expect(objectOwner(bucket(ownership), 'wendy')).toBe('wendy');
      expect(aclsDisabled(bucket(ownership))).toBe(false);
    }
  });
});
