// The admin route table: one row per endpoint (method, path, authorization action, handler) and the matcher.
import { createBackup } from './handlers/backup.js';
import { getBucket, listBuckets, putBucketOwner } from './handlers/buckets.js';
import { getInfo } from './handlers/info.js';
import { getLifecyclePreview } from './handlers/lifecycle.js';
import { listKeyVersions, restoreVersion } from './handlers/versions.js';
import { getMasterKey, rewrapMasterKey } from './handlers/master-key.js';
import { createKey, deleteKey, getKey, listKeys, rotateKey, updateKey } from './handlers/keys.js';
import { deleteBucketQuota, deleteUserQuota, putBucketQuota, putUserQuota } from './handlers/quotas.js';
import { deleteUserPolicy, getUserPolicy, putUserPolicy } from './handlers/user-policy.js';
import { createUser, deleteUser, getUser, listUsers, updateUser } from './handlers/users.js';
import { invalidInput } from './errors.js';
import type { AdminCall, AdminMethod, AdminResult, Route } from './route.js';
import type { AdminDeps } from './types.js';

type Params = Readonly<Record<string, string>>;

const userArn = (name: string): string => `arn:aws:iam::sklad:user/${name}`;
const bucketArn = (name: string): string => `arn:aws:s3:::${name}`;

/** Key routes name a key id; policies are written about users, so the resource is the key's user when known. */
async function keyOwnerArn(params: Params, deps: AdminDeps): Promise<string> {
  const key = await deps.identity.getAccessKey(params.id!);
  return key === undefined ? 'arn:aws:iam::sklad:user/*' : userArn(key.userName);
}

const onServer = async (): Promise<string> => '*';
const onUser = async (p: Params): Promise<string> => userArn(p.name!);
const onBucket = async (p: Params): Promise<string> => bucketArn(p.name!);

function route(
  method: AdminMethod,
  pattern: string,
  action: string,
  resource: Route['resource'],
  handle: (call: AdminCall) => Promise<AdminResult>,
): Route {
  return { method, pattern, action: `admin:${action}`, mutates: method !== 'GET', resource, handle };
}

export const routes: readonly Route[] = [
  route('GET', '/info', 'GetInfo', onServer, getInfo),

  route('GET', '/users', 'ListUsers', onServer, listUsers),
  route('POST', '/users', 'CreateUser', async () => 'arn:aws:iam::sklad:user/*', createUser),
  route('GET', '/users/{name}', 'GetUser', onUser, getUser),
  route('PATCH', '/users/{name}', 'UpdateUser', onUser, updateUser),
  route('DELETE', '/users/{name}', 'DeleteUser', onUser, deleteUser),
  route('PUT', '/users/{name}/policy', 'PutUserPolicy', onUser, putUserPolicy),
  route('GET', '/users/{name}/policy', 'GetUserPolicy', onUser, getUserPolicy),
  route('DELETE', '/users/{name}/policy', 'DeleteUserPolicy', onUser, deleteUserPolicy),
  route('PUT', '/users/{name}/quota', 'PutUserQuota', onUser, putUserQuota),
  route('DELETE', '/users/{name}/quota', 'DeleteUserQuota', onUser, deleteUserQuota),
  route('GET', '/users/{name}/keys', 'ListAccessKeys', onUser, listKeys),
  route('POST', '/users/{name}/keys', 'CreateAccessKey', onUser, createKey),

  route('GET', '/keys/{id}', 'GetAccessKey', keyOwnerArn, getKey),
  route('PATCH', '/keys/{id}', 'UpdateAccessKey', keyOwnerArn, updateKey),
  route('DELETE', '/keys/{id}', 'DeleteAccessKey', keyOwnerArn, deleteKey),
  route('POST', '/keys/{id}/rotate', 'RotateAccessKey', keyOwnerArn, rotateKey),

  route('GET', '/buckets', 'ListBuckets', onServer, listBuckets),
  route('GET', '/buckets/{name}', 'GetBucket', onBucket, getBucket),
  route('PUT', '/buckets/{name}/quota', 'PutBucketQuota', onBucket, putBucketQuota),
  route('DELETE', '/buckets/{name}/quota', 'DeleteBucketQuota', onBucket, deleteBucketQuota),
  route('PUT', '/buckets/{name}/owner', 'PutBucketOwner', onBucket, putBucketOwner),
  route('GET', '/buckets/{name}/lifecycle/preview', 'GetLifecyclePreview', onBucket, getLifecyclePreview),
  route('GET', '/buckets/{name}/lifecycle/rules/{rule}/preview', 'GetLifecyclePreview', onBucket, getLifecyclePreview),
  // The key is one percent-encoded path segment (slashes included).
  route('GET', '/buckets/{name}/objects/{key}/versions', 'ListObjectVersions', onBucket, listKeyVersions),
  route('POST', '/buckets/{name}/objects/{key}/restore', 'RestoreObjectVersion', onBucket, restoreVersion),

  route('POST', '/backup', 'CreateBackup', onServer, createBackup),

  route('GET', '/master-key', 'GetMasterKey', onServer, getMasterKey),
  route('POST', '/master-key/rewrap', 'RewrapMasterKey', onServer, rewrapMasterKey),
];

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Params }
  /** The path exists, the method does not: 405 with the methods that do. */
  | { kind: 'method'; allowed: AdminMethod[] }
  | { kind: 'none' };

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidInput(`The path segment "${raw}" is not valid percent-encoding.`);
  }
}

function matchPattern(pattern: string, segments: string[]): Params | undefined {
  const parts = pattern.split('/').slice(1);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith('{')) {
      if (segment === '') return undefined;
      params[part.slice(1, -1)] = decodeSegment(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** `path` is the raw path below the prefix, e.g. `/users/alice/keys`. */
export function matchRoute(method: string, path: string): RouteMatch {
  const segments = path.split('/').slice(1);
  const allowed: AdminMethod[] = [];
  for (const r of routes) {
    const params = matchPattern(r.pattern, segments);
    if (params === undefined) continue;
    if (r.method === method) return { kind: 'found', route: r, params };
    allowed.push(r.method);
  }
  return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' };
}
