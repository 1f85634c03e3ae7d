// Access decision for an authenticated principal on a bucket. Today: the root user and the bucket's owner.
import { S3Error } from '../errors.js';
import type { Principal } from './credentials.js';

export interface OwnedResource {
  owner: string;
}

export function authorize(principal: Principal, _operation: string, bucket: OwnedResource): void {
  if (principal.isRoot || principal.userId === bucket.owner) return;
  throw new S3Error('AccessDenied');
}
