// Records → wire documents. The only place that decides what leaves the server: sealed secrets never do.
import type { AccessKeyRecord, IdentityIndex, Quota, UserRecord } from '../storage/identity-index.js';
import type { BucketRecord, MetadataIndex } from '../storage/metadata-index.js';
import { policyDocument } from './policy.js';
import type { AccessKeyView, BucketView, QuotaView, UserSummaryView, UserView } from './types.js';

export function quotaView(quota: Quota | undefined): QuotaView | null {
  if (quota === undefined) return null;
  const view: QuotaView = {};
  if (quota.maxBytes !== undefined) view.maxBytes = quota.maxBytes;
  if (quota.maxObjects !== undefined) view.maxObjects = quota.maxObjects;
  return Object.keys(view).length === 0 ? null : view;
}

export function accessKeyView(key: AccessKeyRecord): AccessKeyView {
  return { accessKeyId: key.accessKeyId, userName: key.userName, status: key.status, createdAt: key.createdAt.toISOString() };
}

export async function userSummary(identity: IdentityIndex, user: UserRecord): Promise<UserSummaryView> {
  const [usage, keys] = await Promise.all([identity.userUsage(user.name), identity.listAccessKeys(user.name)]);
  return {
    name: user.name,
    createdAt: user.createdAt.toISOString(),
    disabled: user.disabled,
    hasPolicy: user.policy !== undefined,
    quota: quotaView(user.quota),
    usage,
    accessKeys: keys.length,
  };
}

export async function userView(identity: IdentityIndex, user: UserRecord): Promise<UserView> {
  const [usage, keys] = await Promise.all([identity.userUsage(user.name), identity.listAccessKeys(user.name)]);
  return {
    name: user.name,
    createdAt: user.createdAt.toISOString(),
    disabled: user.disabled,
    policy: policyDocument(user.policy),
    quota: quotaView(user.quota),
    usage,
    accessKeys: keys.map(accessKeyView),
  };
}

export async function bucketView(index: MetadataIndex, bucket: BucketRecord): Promise<BucketView> {
  return {
    name: bucket.name,
    owner: bucket.owner,
    createdAt: bucket.createdAt.toISOString(),
    usage: await index.bucketUsage(bucket.name),
    quota: quotaView(bucket.quota),
    versioning: bucket.versioning,
    objectLock: bucket.objectLockEnabled ? { defaultRetention: bucket.defaultRetention ?? null } : null,
  };
}
