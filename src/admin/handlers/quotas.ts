// Quotas on users (all buckets they own) and on single buckets. PUT sets both limits at once; DELETE lifts them.
import { noSuchUser } from '../errors.js';
import { parseQuota } from '../input.js';
import { ok, type AdminCall, type AdminResult } from '../route.js';
import { bucketView, userView } from '../views.js';
import { mustBucket, mustUser } from './lookup.js';

export async function putUserQuota({ deps, params, body }: AdminCall): Promise<AdminResult> {
  const quota = parseQuota(body);
  if (!(await deps.identity.updateUser(params.name!, { quota }))) throw noSuchUser(params.name!);
  return ok(await userView(deps.identity, await mustUser(deps.identity, params.name!)), { maxBytes: quota.maxBytes ?? null, maxObjects: quota.maxObjects ?? null });
}

export async function deleteUserQuota({ deps, params }: AdminCall): Promise<AdminResult> {
  if (!(await deps.identity.updateUser(params.name!, { quota: null }))) throw noSuchUser(params.name!);
  return ok(await userView(deps.identity, await mustUser(deps.identity, params.name!)));
}

export async function putBucketQuota({ deps, params, body }: AdminCall): Promise<AdminResult> {
  const quota = parseQuota(body);
  await mustBucket(deps.index, params.name!);
  await deps.index.patchBucket(params.name!, { quota });
  return ok(await bucketView(deps.index, await mustBucket(deps.index, params.name!)), { maxBytes: quota.maxBytes ?? null, maxObjects: quota.maxObjects ?? null });
}

export async function deleteBucketQuota({ deps, params }: AdminCall): Promise<AdminResult> {
  await mustBucket(deps.index, params.name!);
  await deps.index.patchBucket(params.name!, { quota: null });
  return ok(await bucketView(deps.index, await mustBucket(deps.index, params.name!)));
}
