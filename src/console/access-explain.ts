// "Can this user do this?": the one access decision (access-control → policy/decide) asked on a user's behalf,
// with the request facts the operator supplies (request-facts.ts) and the policy statement that decided. Facts
// not supplied are absent, so conditions on them do not match, as for a request that does not carry them.
import type { AccessControl } from '../access/access-control.js';
import { resourceArn, S3_ACTIONS } from '../policy/actions.js';
import { parsePolicy, type PolicyDocument } from '../policy/document.js';
import type { IdentityIndex } from '../storage/identity-index.js';
import type { MetadataIndex } from '../storage/metadata-index.js';
import { EXISTING_TAG_PREFIX } from './request-facts.js';
import type { ConditionContext } from '../access/access-control.js';
import type { AccessCheckRequest, AccessCheckView } from './wire.js';

export async function explainAccess(
  q: AccessCheckRequest,
  deps: { access: AccessControl; identity: IdentityIndex; index: MetadataIndex },
  facts: ConditionContext = {},
): Promise<AccessCheckView | undefined> {
  const user = await deps.identity.getUser(q.user);
  if (user === undefined) return undefined;
  const bucket = q.bucket === '' ? undefined : await deps.index.getBucket(q.bucket);
  // An object-level action is asked about the key (or every key, `*`); others about the bucket itself.
  const level = S3_ACTIONS[q.action] ?? (q.key ? 'object' : 'bucket');
  const key = level === 'object' ? q.key || '*' : undefined;
  const bucketName = level === 'service' ? '' : q.bucket;
  // An object that exists answers s3:ExistingObjectTag with its own tags, as for a real request.
  const object = bucket !== undefined && key !== undefined && key !== '*' ? await deps.index.getObject(bucket.name, key) : undefined;
  const objectExists = object !== undefined && !object.deleteMarker;
  const context = objectExists ? Object.fromEntries(Object.entries(facts).filter(([k]) => !k.startsWith(EXISTING_TAG_PREFIX))) : facts;
  const decision = await deps.access.decide(
    { userId: user.name, accessKeyId: '', isRoot: false },
    q.action,
    level === 'service' ? undefined : bucket,
    bucketName,
    key,
    context,
  );
  const view: AccessCheckView = {
    allowed: decision.allowed,
    reason: decision.reason,
    resource: resourceArn(bucketName, key),
    facts: Object.fromEntries(Object.entries(context).filter((e): e is [string, string] => typeof e[1] === 'string')),
    objectTagsUsed: objectExists,
  };
  if (decision.statement !== undefined) {
    const text = decision.statement.policy === 'identity' ? user.policy : bucket?.policy;
    const doc: PolicyDocument | undefined =
      text === undefined ? undefined : parsePolicy(text, decision.statement.policy === 'identity' ? { kind: 'identity' } : { kind: 'bucket', bucket: q.bucket });
    const statement = doc?.Statement[decision.statement.index];
    if (statement !== undefined) {
      view.statement = { policy: decision.statement.policy, index: decision.statement.index, sid: statement.Sid, document: statement };
    }
  }
  return view;
}
