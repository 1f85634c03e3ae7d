// Loading the entity a path names, with the admin API's not-found errors.
import type { AccessKeyRecord, IdentityIndex, UserRecord } from '../../storage/identity-index.js';
import type { BucketRecord, MetadataIndex } from '../../storage/metadata-index.js';
import { noSuchBucket, noSuchKey, noSuchUser } from '../errors.js';

export async function mustUser(identity: IdentityIndex, name: string): Promise<UserRecord> {
  const user = await identity.getUser(name);
  if (user === undefined) throw noSuchUser(name);
  return user;
}

export async function mustKey(identity: IdentityIndex, id: string): Promise<AccessKeyRecord> {
  const key = await identity.getAccessKey(id);
  if (key === undefined) throw noSuchKey(id);
  return key;
}

export async function mustBucket(index: MetadataIndex, name: string): Promise<BucketRecord> {
  const bucket = await index.getBucket(name);
  if (bucket === undefined) throw noSuchBucket(name);
  return bucket;
}
