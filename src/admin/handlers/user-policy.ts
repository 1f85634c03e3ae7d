// A user's identity policy: PUT replaces it (validated), GET returns it, DELETE detaches it.
import { AdminError, noSuchUser } from '../errors.js';
import { policyDocument, validatePolicy } from '../policy.js';
import { noContent, ok, type AdminCall, type AdminResult } from '../route.js';
import { mustUser } from './lookup.js';

export async function putUserPolicy({ deps, params, body }: AdminCall): Promise<AdminResult> {
  const text = validatePolicy(body.toString('utf8'));
  if (!(await deps.identity.updateUser(params.name!, { policy: text }))) throw noSuchUser(params.name!);
  return ok(policyDocument(text));
}

export async function getUserPolicy({ deps, params }: AdminCall): Promise<AdminResult> {
  const user = await mustUser(deps.identity, params.name!);
  if (user.policy === undefined) throw new AdminError(404, 'NoSuchEntity', `The user ${user.name} has no policy.`);
  return ok(policyDocument(user.policy));
}

export async function deleteUserPolicy({ deps, params }: AdminCall): Promise<AdminResult> {
  const user = await mustUser(deps.identity, params.name!);
  if (user.policy === undefined) throw new AdminError(404, 'NoSuchEntity', `The user ${user.name} has no policy.`);
  if (!(await deps.identity.updateUser(user.name, { policy: null }))) throw noSuchUser(user.name);
  return noContent();
}
