// Master-key rotation: what each master key still protects, and the online re-wrap that moves every SSE-S3
// data key and every sealed access-key secret under the current key, after which retired keys can go.
import { MasterKeyUnavailableError, type WrappedKey } from '../../crypto/keyring.js';
import { sealedUnder } from '../../identity/secret-seal.js';
import type { AccessKeyRecord } from '../../storage/identity-index.js';
import { invalidInput } from '../errors.js';
import { parseJsonObject } from '../input.js';
import { ok, type AdminCall, type AdminResult } from '../route.js';
import type { AdminDeps, MasterKeyView, RewrapView } from '../types.js';

/** Records re-wrapped per call when the request names no limit: one short transaction's worth. */
const DEFAULT_STEP = 500;
const MAX_STEP = 10_000;

async function allAccessKeys(deps: AdminDeps): Promise<AccessKeyRecord[]> {
  const keys: AccessKeyRecord[] = [];
  for (const user of await deps.identity.listUsers()) keys.push(...(await deps.identity.listAccessKeys(user.name)));
  return keys;
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}

async function masterKeyView(deps: AdminDeps): Promise<MasterKeyView> {
  const [dataKeys, accessKeys] = await Promise.all([deps.index.dataKeysByMasterKey(), allAccessKeys(deps)]);
  const accessKeySecrets = countBy(accessKeys, (k) => sealedUnder(k.sealedSecret));
  const held = deps.keyring.ids();
  const inUse = new Set([...Object.keys(dataKeys), ...Object.keys(accessKeySecrets)]);
  return {
    currentKeyId: deps.keyring.currentId,
    heldKeyIds: held,
    dataKeys,
    accessKeySecrets,
    retirable: held.filter((id) => id !== deps.keyring.currentId && !inUse.has(id)),
    missing: [...inUse].filter((id) => !held.includes(id)).sort(),
  };
}

export async function getMasterKey({ deps }: AdminCall): Promise<AdminResult> {
  return ok(await masterKeyView(deps));
}

/** Re-seals every access key's secret under the current key; secrets under a key the server lacks are counted, not touched. */
async function resealSecrets(deps: AdminDeps): Promise<{ resealed: number; unavailable: number }> {
  let resealed = 0;
  let unavailable = 0;
  for (const key of await allAccessKeys(deps)) {
    let sealed: string | undefined;
    try {
      sealed = deps.sealer.reseal(key.accessKeyId, key.sealedSecret);
    } catch (e) {
      if (!(e instanceof MasterKeyUnavailableError)) throw e;
      unavailable++;
      continue;
    }
    if (sealed !== undefined && (await deps.identity.replaceSealedSecret(key.accessKeyId, key.sealedSecret, sealed))) resealed++;
  }
  return { resealed, unavailable };
}

/**
 * One step of the re-wrap: up to `limit` records of the index; the last step also re-seals the access keys'
 * secrets and reports what each master key still protects. The client calls again with the returned cursor
 * until `done`; a run cut short resumes from its last cursor, or from the start, which passes over what is done.
 */
export async function rewrapMasterKey({ deps, body }: AdminCall): Promise<AdminResult> {
  const doc = body.length === 0 ? {} : parseJsonObject(body, ['cursor', 'limit']);
  const cursor = doc.cursor ?? undefined;
  if (cursor !== undefined && (typeof cursor !== 'string' || cursor === '')) throw invalidInput('"cursor" must be the cursor a previous step returned.');
  const limit = doc.limit ?? DEFAULT_STEP;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_STEP) {
    throw invalidInput(`"limit" must be a whole number from 1 to ${MAX_STEP}.`);
  }
  let unavailable = 0;
  const rewrap = (wrapped: WrappedKey): WrappedKey | undefined => {
    try {
      return deps.keyring.rewrap(wrapped);
    } catch (e) {
      if (!(e instanceof MasterKeyUnavailableError)) throw e;
      unavailable++;
      return undefined;
    }
  };
  const step = await deps.index.rewrapDataKeys(cursor, limit, rewrap);
  const view: RewrapView = { scanned: step.scanned, rewrapped: step.rewrapped, unavailable, done: step.next === undefined };
  if (step.next !== undefined) {
    view.cursor = step.next;
  } else {
    const secrets = await resealSecrets(deps);
    view.secretsResealed = secrets.resealed;
    view.unavailable += secrets.unavailable;
    view.masterKey = await masterKeyView(deps);
  }
  return ok(view, { scanned: view.scanned, rewrapped: view.rewrapped, done: view.done });
}
