// The access-policy engine: pure functions, no I/O. See decide.ts for how the parts combine.
export { PolicyError, isPolicyError, type PolicyErrorCode } from './errors.js';
export {
  parsePolicy,
  MAX_BUCKET_POLICY_BYTES,
  MAX_IDENTITY_POLICY_CHARS,
  type Effect,
  type ParseOptions,
  type PolicyDocument,
  type PolicyVersion,
  type PrincipalElement,
  type Statement,
} from './document.js';
export { compilePattern, matchUnits, resolveText, wildcardMatch, type VariableLookup } from './match.js';
export { evaluateConditions, parseOperator, type ConditionBlock, type ConditionContext } from './conditions.js';
export {
  ACCOUNT_ID,
  evaluatePolicy,
  principalMatches,
  statementApplies,
  type PolicyPrincipal,
  type PolicyResult,
  type RequestFacts,
} from './evaluate.js';
export {
  ALL_USERS,
  AUTHENTICATED_USERS,
  LOG_DELIVERY,
  CANNED_ACLS,
  aclAllows,
  cannedGrants,
  grantsFromHeaders,
  isCannedAcl,
  isPublicAcl,
  type CannedAcl,
  type Grant,
  type Grantee,
  type Permission,
} from './acl.js';
export { isPublicPolicy, isPublicStatement } from './public.js';
export { S3_ACTIONS, resourceArn, type ResourceLevel } from './actions.js';
export { decide, type AccessDecision, type AccessQuestion, type PublicAccessBlock } from './decide.js';
