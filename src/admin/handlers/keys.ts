// Access keys: create (the one answer that carries the secret), list, show, activate/deactivate, delete, rotate.
import { newAccessKeyPair } from '../../identity/access-keys.js';
import { IdentityError, type AccessKeyRecord } from '../../storage/identity-index.js';
import { invalidInput, noSuchKey } from '../errors.js';
import { parseJsonObject } from '../input.js';
import { created, noContent, ok, type AdminCall, type AdminResult } from '../route.js';
import type { AccessKeyListView, AdminDeps, NewAccessKeyView } from '../types.js';
import { accessKeyView } from '../views.js';
import { mustKey, mustUser } from './lookup.js';
import { pageMarkers, pageOf, pageRequest } from '../paging.js';

/** Ids are random (90 bits); a collision is astronomically unlikely but costs only a retry. */
const ID_ATTEMPTS = 3;

async function issueKey(deps: AdminDeps, userName: string): Promise<NewAccessKeyView> {
  for (let attempt = 1; ; attempt++) {
    const pair = newAccessKeyPair();
    const record: AccessKeyRecord = {
      accessKeyId: pair.accessKeyId,
      userName,
      status: 'Active',
      createdAt: new Date(),
      sealedSecret: deps.sealer.seal(pair.accessKeyId, pair.secretKey),
    };
    try {
      await deps.identity.createAccessKey(record);
      return { ...accessKeyView(record), secretKey: pair.secretKey };
    } catch (e) {
      if (!(e instanceof IdentityError && e.code === 'EntityAlreadyExists') || attempt >= ID_ATTEMPTS) throw e;
    }
  }
}

export async function listKeys({ deps, params, query }: AdminCall): Promise<AdminResult> {
  await mustUser(deps.identity, params.name!);
  const page = pageOf(await deps.identity.listAccessKeys(params.name!), (k) => k.accessKeyId, pageRequest(query));
  const view: AccessKeyListView = { accessKeys: page.items.map(accessKeyView), ...pageMarkers(page) };
  return ok(view);
}

export async function createKey({ deps, params }: AdminCall): Promise<AdminResult> {
  await mustUser(deps.identity, params.name!);
  const key = await issueKey(deps, params.name!);
  return created(key, { accessKeyId: key.accessKeyId });
}

export async function getKey({ deps, params }: AdminCall): Promise<AdminResult> {
  return ok(accessKeyView(await mustKey(deps.identity, params.id!)));
}

export async function updateKey({ deps, params, body }: AdminCall): Promise<AdminResult> {
  const status = parseJsonObject(body, ['status']).status;
  if (status !== 'Active' && status !== 'Inactive') throw invalidInput('"status" must be "Active" or "Inactive".');
  if (!(await deps.identity.setAccessKeyStatus(params.id!, status))) throw noSuchKey(params.id!);
  return ok(accessKeyView(await mustKey(deps.identity, params.id!)), { status });
}

export async function deleteKey({ deps, params }: AdminCall): Promise<AdminResult> {
  if (!(await deps.identity.deleteAccessKey(params.id!))) throw noSuchKey(params.id!);
  return noContent();
}

export async function rotateKey({ deps, params }: AdminCall): Promise<AdminResult> {
  const old = await mustKey(deps.identity, params.id!);
  // New key first: if deactivating the old one then fails, the user holds two working keys, never none.
  const fresh = await issueKey(deps, old.userName);
  if (!(await deps.identity.setAccessKeyStatus(old.accessKeyId, 'Inactive'))) throw noSuchKey(old.accessKeyId);
  const view: NewAccessKeyView = { ...fresh, replaces: old.accessKeyId };
  return created(view, { accessKeyId: fresh.accessKeyId, replaces: old.accessKeyId });
}
