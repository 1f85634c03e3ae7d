// Who may do what: turns a request into the policy engine's question (principal, action, resource, condition
// keys, the bucket's owner, policy, ACLs and public access block, the user's own policy) and enforces the answer.
// Parsed policies are cached by their text; user policies until an admin change invalidates them.
import type { Principal } from '../auth/credentials.js';
import { S3Error } from '../errors/s3-error.js';
import { storedGrants } from '../policy/acl.js';
import { resourceArn } from '../policy/actions.js';
import { decide, type AccessDecision } from '../policy/decide.js';
import { parsePolicy, testsConditionKey, type PolicyDocument } from '../policy/document.js';
import type { PolicyPrincipal } from '../policy/evaluate.js';
import type { IdentityIndex } from '../storage/identity-index.js';
import type { BucketRecord, MetadataIndex, ObjectRecord, Tag } from '../storage/metadata-index.js';
import { ROOT_USER_ID } from '../auth/credentials.js';
import { aclsDisabled, objectOwner } from './object-ownership.js';

/** Facts about the request that policy conditions may test (aws:* and s3:* condition keys). */
export type ConditionContext = Record<string, string | string[] | undefined>;

/**
 * What a handler may ask after dispatch: may this request's principal do `action` on another resource (or on the
 * same one, with condition keys only the handler learns, such as the tags in a PutObjectTagging body)?
 */
export interface AccessCheck {
  /** Throws AccessDenied unless allowed; NoSuchBucket when the bucket is gone. */
  require(action: string, bucket: string, key?: string, extra?: ConditionContext): Promise<void>;
  allows(action: string, bucket: string, key?: string, extra?: ConditionContext): Promise<boolean>;
  /** Decides for a bucket that does not exist yet (CreateBucket's further actions): identity policies alone. */
  allowsOnNewBucket(action: string, bucket: string): Promise<boolean>;
  /** Whether `id` names a grantee ACLs may grant to: root or an existing user (canonical ids are user names). */
  isCanonicalUser(id: string): Promise<boolean>;
}

/** Condition keys for a set of request tags (s3:RequestObjectTag/<key>, s3:RequestObjectTagKeys). */
export function requestTagKeys(tags: readonly Tag[]): ConditionContext {
  const context: ConditionContext = { 's3:RequestObjectTagKeys': tags.map((t) => t.key) };
  for (const t of tags) context[`s3:RequestObjectTag/${t.key}`] = t.value;
  return context;
}

/** s3:ExistingObjectTag/<key>: the tags of the object the request acts on. */
function existingTagKeys(object: ObjectRecord | undefined): ConditionContext {
  const context: ConditionContext = {};
  for (const t of object?.tags ?? []) context[`s3:ExistingObjectTag/${t.key}`] = t.value;
  return context;
}

const EXISTING_TAG = 's3:ExistingObjectTag/';

export function policyPrincipal(principal: Principal): PolicyPrincipal {
  if (principal.isRoot) return { kind: 'root' };
  if (principal.anonymous) return { kind: 'anonymous' };
  return { kind: 'user', name: principal.userId };
}

export class AccessControl {
  readonly #bucketPolicies = new Map<string, PolicyDocument>();
  readonly #userPolicies = new Map<string, PolicyDocument | null>();
  readonly #testsExistingTags = new WeakMap<PolicyDocument, boolean>();

  constructor(
    private readonly identity: IdentityIndex,
    private readonly index: MetadataIndex,
  ) {}

  /** Forgets cached user policies: called after any change to users. */
  invalidate(): void {
    this.#userPolicies.clear();
  }

  /**
   * The decision for `principal` doing `action` on the bucket (and key). Object ACLs are consulted only when
   * nothing else allowed and the object exists, so most requests never read the object's row for this.
   */
  async decide(
    principal: Principal,
    action: string,
    bucket: BucketRecord | undefined,
    bucketName: string,
    key: string | undefined,
    context: ConditionContext | (() => ConditionContext),
  ): Promise<AccessDecision> {
    // Root is allowed whatever users' policies and ACLs say, so without a bucket policy (which may deny it, see
    // decide.ts) it is answered before any fact is gathered: root's requests are many.
    if (principal.isRoot && bucket?.policy === undefined) return { allowed: true, reason: 'root' };
    if (typeof context === 'function') context = context();
    const who = policyPrincipal(principal);
    const identityPolicy = await this.userPolicy(principal);
    const bucketPolicy = bucket?.policy === undefined ? undefined : this.bucketPolicy(bucket.name, bucket.policy);
    // The object is read up front only when a policy tests its tags; otherwise only for its ACL, below.
    const needsObject = bucket !== undefined && key !== undefined &&
      [identityPolicy, bucketPolicy].some((doc) => doc !== undefined && this.testsExistingTags(doc));
    let object = needsObject ? await this.index.getObject(bucket.name, key) : undefined;
    if (object?.deleteMarker) object = undefined;
    const facts = {
      principal: who,
      action,
      resource: bucketName === '' ? '*' : resourceArn(bucketName, key),
      context: { ...context, ...(needsObject ? existingTagKeys(object) : {}), ...principalKeys(principal) },
    };
    const disabled = bucket !== undefined && aclsDisabled(bucket);
    const question = {
      facts,
      level: bucketName === '' ? ('service' as const) : key === undefined ? ('bucket' as const) : ('object' as const),
      bucketOwner: bucket?.owner,
      identityPolicy,
      bucketPolicy,
      bucketAcl: bucket && !disabled ? storedGrants(bucket.acl, bucket.owner, bucket.owner) : undefined,
      publicAccessBlock: bucket?.publicAccessBlock,
      aclsDisabled: disabled,
    };
    const first = decide(question);
    if (first.allowed || first.reason === 'explicit-deny' || disabled || bucket === undefined || key === undefined) return first;
    if (!needsObject) object = await this.index.getObject(bucket.name, key);
    if (object === undefined || object.deleteMarker) return first;
    const owner = objectOwner(bucket, object.owner);
    return decide({ ...question, objectOwner: owner, objectAcl: storedGrants(object.acl, owner, bucket.owner) });
  }

  /** A handle for handlers to check further resources with the same principal and request facts. */
  checkerFor(principal: Principal, context: () => ConditionContext): AccessCheck {
    const withExtra = (extra: ConditionContext | undefined) => (extra === undefined ? context : () => ({ ...context(), ...extra }));
    const allows = async (action: string, bucketName: string, key?: string, extra?: ConditionContext): Promise<boolean> => {
      if (bucketName === '') return (await this.decide(principal, action, undefined, '', undefined, withExtra(extra))).allowed;
      const bucket = await this.index.getBucket(bucketName);
      if (bucket === undefined) throw new S3Error('NoSuchBucket', { fields: { BucketName: bucketName } });
      return (await this.decide(principal, action, bucket, bucketName, key, withExtra(extra))).allowed;
    };
    return {
      allows,
      async require(action, bucketName, key, extra) {
        if (!(await allows(action, bucketName, key, extra))) throw new S3Error('AccessDenied');
      },
      allowsOnNewBucket: async (action, bucketName) =>
        (await this.decide(principal, action, undefined, bucketName, undefined, context)).allowed,
      isCanonicalUser: async (id) => id === ROOT_USER_ID || (await this.identity.getUser(id)) !== undefined,
    };
  }

  /**
   * May this principal use the admin API action (`admin:…`) on `resource` (a user or bucket ARN, or `*`)?
   * Root always; others by their own policy.
   */
  async allowsAdmin(principal: Principal, action: string, resource = '*'): Promise<boolean> {
    if (principal.isRoot) return true;
    if (principal.anonymous) return false;
    const decision = decide({
      facts: { principal: policyPrincipal(principal), action, resource, context: principalKeys(principal) },
      level: 'service',
      identityPolicy: await this.userPolicy(principal),
    });
    return decision.allowed;
  }

  private testsExistingTags(doc: PolicyDocument): boolean {
    let tests = this.#testsExistingTags.get(doc);
    if (tests === undefined) {
      tests = testsConditionKey(doc, EXISTING_TAG);
      this.#testsExistingTags.set(doc, tests);
    }
    return tests;
  }

  private bucketPolicy(bucket: string, text: string): PolicyDocument {
    const cacheKey = `${bucket}\n${text}`;
    let doc = this.#bucketPolicies.get(cacheKey);
    if (doc === undefined) {
      doc = parsePolicy(text, { kind: 'bucket', bucket });
      if (this.#bucketPolicies.size > 1000) this.#bucketPolicies.clear();
      this.#bucketPolicies.set(cacheKey, doc);
    }
    return doc;
  }

  private async userPolicy(principal: Principal): Promise<PolicyDocument | undefined> {
    if (principal.isRoot || principal.anonymous) return undefined;
    let doc = this.#userPolicies.get(principal.userId);
    if (doc === undefined) {
      const user = await this.identity.getUser(principal.userId);
      doc = user?.policy === undefined ? null : parsePolicy(user.policy, { kind: 'identity' });
      this.#userPolicies.set(principal.userId, doc);
    }
    return doc ?? undefined;
  }
}

function principalKeys(principal: Principal): ConditionContext {
  if (principal.anonymous) return { 'aws:PrincipalType': 'Anonymous' };
  if (principal.isRoot) return { 'aws:PrincipalType': 'Account', 'aws:userid': 'root', 'aws:username': 'root' };
  return { 'aws:PrincipalType': 'User', 'aws:username': principal.userId, 'aws:userid': principal.userId };
}
