// Buckets as an operator sees them: owner, usage, quota; and reassigning the owner.
import { AdminError } from '../errors.js';
import { parseJsonObject, requiredString } from '../input.js';
import { ok, type AdminCall, type AdminResult } from '../route.js';
import { ROOT_OWNER, type BucketListView } from '../types.js';
import { bucketView } from '../views.js';
import { mustBucket } from './lookup.js';
import { pageMarkers, pageOf, pageRequest } from '../paging.js';

export async function listBuckets({ deps, query }: AdminCall): Promise<AdminResult> {
  const page = pageOf(await deps.index.listBuckets(), (b) => b.name, pageRequest(query));
  const view: BucketListView = { buckets: await Promise.all(page.items.map((b) => bucketView(deps.index, b))), ...pageMarkers(page) };
  return ok(view);
}

export async function getBucket({ deps, params }: AdminCall): Promise<AdminResult> {
  return ok(await bucketView(deps.index, await mustBucket(deps.index, params.name!)));
}

export async function putBucketOwner({ deps, params, body }: AdminCall): Promise<AdminResult> {
  const owner = requiredString(parseJsonObject(body, ['owner']), 'owner');
  const before = await mustBucket(deps.index, params.name!);
  if (owner !== ROOT_OWNER && (await deps.identity.getUser(owner)) === undefined) {
    throw new AdminError(404, 'NoSuchEntity', `The user with name ${owner} cannot be found.`);
  }
  await deps.index.patchBucket(before.name, { owner });
  return ok(await bucketView(deps.index, await mustBucket(deps.index, before.name)), { previousOwner: before.owner, owner });
}
