// Users: list, create, show, enable/disable, delete.
import { isValidUserName } from '../../identity/access-keys.js';
import { invalidInput, noSuchUser } from '../errors.js';
import { parseJsonObject, requiredBoolean, requiredString } from '../input.js';
import { validatePolicy } from '../policy.js';
import { created, noContent, ok, type AdminCall, type AdminResult } from '../route.js';
import type { UserListView } from '../types.js';
import { userSummary, userView } from '../views.js';
import { mustUser } from './lookup.js';
import { pageMarkers, pageOf, pageRequest } from '../paging.js';

export async function listUsers({ deps, query }: AdminCall): Promise<AdminResult> {
  const page = pageOf(await deps.identity.listUsers(), (u) => u.name, pageRequest(query));
  // Usage and keys are looked up for the page's users only.
  const view: UserListView = { users: await Promise.all(page.items.map((u) => userSummary(deps.identity, u))), ...pageMarkers(page) };
  return ok(view);
}

export async function createUser({ deps, body }: AdminCall): Promise<AdminResult> {
  const doc = parseJsonObject(body, ['name', 'policy']);
  const name = requiredString(doc, 'name');
  if (!isValidUserName(name)) {
    throw invalidInput('A user name is 1 to 64 letters, digits and + = , . @ _ - characters, and not "root".');
  }
  let policy: string | undefined;
  if (doc.policy !== undefined && doc.policy !== null) {
    if (typeof doc.policy !== 'string' && (typeof doc.policy !== 'object' || Array.isArray(doc.policy))) {
      throw invalidInput('"policy" must be a policy document (a JSON object, or its text).');
    }
    policy = validatePolicy(doc.policy);
  }
  await deps.identity.createUser({ name, createdAt: new Date(), policy });
  return created(await userView(deps.identity, await mustUser(deps.identity, name)), { hasPolicy: policy !== undefined });
}

export async function getUser({ deps, params }: AdminCall): Promise<AdminResult> {
  return ok(await userView(deps.identity, await mustUser(deps.identity, params.name!)));
}

export async function updateUser({ deps, params, body }: AdminCall): Promise<AdminResult> {
  const doc = parseJsonObject(body, ['disabled']);
  const disabled = requiredBoolean(doc, 'disabled');
  if (!(await deps.identity.updateUser(params.name!, { disabled }))) throw noSuchUser(params.name!);
  return ok(await userView(deps.identity, await mustUser(deps.identity, params.name!)), { disabled });
}

export async function deleteUser({ deps, params }: AdminCall): Promise<AdminResult> {
  // The index refuses (DeleteConflict) while the user owns buckets, inside its own transaction.
  if (!(await deps.identity.deleteUser(params.name!))) throw noSuchUser(params.name!);
  return noContent();
}
