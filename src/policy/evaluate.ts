// One policy document against one request, after "Policy evaluation logic": a statement applies when its
// principal, action, resource and condition all match; an applicable Deny statement wins over any Allow in the same
// document ("an explicit deny overrides an allow"); a document with no applicable statement says nothing.

import { evaluateConditions, type ConditionContext } from './conditions.js';
import type { PolicyDocument, PrincipalElement, Statement } from './document.js';
import { compilePattern, matchUnits, wildcardMatch, type VariableLookup } from './match.js';

/** sklad has one account; principals are written with this account id, but any account id is accepted. */
export const ACCOUNT_ID = 'sklad';

export type PolicyPrincipal =
  | { kind: 'root' }
  /** ARN arn:aws:iam::sklad:user/<name> */
  | { kind: 'user'; name: string }
  | { kind: 'anonymous' };

export interface RequestFacts {
  principal: PolicyPrincipal;
  /** e.g. 's3:GetObject', 'admin:CreateUser' */
  action: string;
  /** e.g. 'arn:aws:s3:::bucket/key', 'arn:aws:s3:::bucket' or '*' */
  resource: string;
  /** Condition keys: aws:SourceIp, aws:SecureTransport ('true'/'false'), aws:CurrentTime, s3:prefix, … */
  context: ConditionContext;
}

export type PolicyResult = 'Allow' | 'Deny' | 'NoMatch';

/** A document's verdict and the statement that made it: the first applicable Deny, else the first applicable Allow. */
export interface PolicyVerdict {
  result: PolicyResult;
  /** Index into the document's Statement list; undefined with NoMatch. */
  statement?: number;
}

/** The verdict of one document: 'Deny' if any applicable statement denies, else 'Allow' if one allows. */
export function evaluatePolicy(doc: PolicyDocument, request: RequestFacts): PolicyResult {
  return evaluatePolicyVerdict(doc, request).result;
}

export function evaluatePolicyVerdict(doc: PolicyDocument, request: RequestFacts): PolicyVerdict {
  const context = withPrincipalKeys(request);
  // Policy variables exist only in 2012-10-17 documents; in older ones "${…}" is plain text.
  const variables = doc.Version === '2012-10-17' ? lookupIn(context) : undefined;
  let allowedBy: number | undefined;
  for (let i = 0; i < doc.Statement.length; i++) {
    const st = doc.Statement[i]!;
    if (!applies(st, request, context, variables)) continue;
    if (st.Effect === 'Deny') return { result: 'Deny', statement: i };
    allowedBy ??= i;
  }
  return allowedBy === undefined ? { result: 'NoMatch' } : { result: 'Allow', statement: allowedBy };
}

/** Whether one statement of a document with the given Version applies to the request (its Effect aside). */
export function statementApplies(st: Statement, request: RequestFacts, version: PolicyDocument['Version'] = '2012-10-17'): boolean {
  const context = withPrincipalKeys(request);
  return applies(st, request, context, version === '2012-10-17' ? lookupIn(context) : undefined);
}

function applies(st: Statement, request: RequestFacts, context: ConditionContext, variables: VariableLookup | undefined): boolean {
  if (st.Principal !== undefined && !principalMatches(st.Principal, request.principal)) return false;
  if (st.NotPrincipal !== undefined && principalMatches(st.NotPrincipal, request.principal)) return false;

  // Actions compare case-insensitively and take no variables.
  const actionHit = (list: readonly string[]): boolean =>
    list.some((a) => wildcardMatch(a, request.action, { ignoreCase: true }));
  if (st.Action !== undefined && !actionHit(st.Action)) return false;
  if (st.NotAction !== undefined && actionHit(st.NotAction)) return false;

  // Resources compare case-sensitively; a resource with an unresolvable variable matches nothing.
  const resourceHit = (list: readonly string[]): boolean =>
    list.some((r) => {
      const units = compilePattern(r, { wildcards: true, variables });
      return units !== undefined && matchUnits(units, request.resource);
    });
  if (st.Resource !== undefined && !resourceHit(st.Resource)) return false;
  if (st.NotResource !== undefined && resourceHit(st.NotResource)) return false;

  return evaluateConditions(st.Condition, context, variables);
}

/**
 * Does a Principal element name this principal? "*" and {"AWS": "*"} name everyone, anonymous included;
 * "arn:aws:iam::<any account>:user/<name>" (any path), a bare user name and {"CanonicalUser": name} name a user;
 * "arn:aws:iam::<account>:root" names the root user. Service principals name nobody in sklad.
 */
export function principalMatches(element: PrincipalElement, principal: PolicyPrincipal): boolean {
  if (element === '*') return true;
  if (element.AWS?.includes('*')) return true;
  if (principal.kind === 'anonymous') return false;
  for (const value of element.AWS ?? []) {
    const arn = /^arn:aws:iam::[^:]*:(.+)$/.exec(value);
    if (arn) {
      const id = arn[1] ?? '';
      if (principal.kind === 'root' && id === 'root') return true;
      if (principal.kind === 'user' && id.startsWith('user/') && id.slice(id.lastIndexOf('/') + 1) === principal.name) return true;
    } else if (principal.kind === 'user' && value === principal.name) {
      return true;
    }
  }
  return principal.kind === 'user' && (element.CanonicalUser ?? []).includes(principal.name);
}

/**
 * The request context plus the principal keys AWS always supplies (aws:username for IAM users, aws:userid,
 * aws:PrincipalType, aws:PrincipalArn), unless the caller already set them.
 */
export function withPrincipalKeys(request: RequestFacts): ConditionContext {
  const p = request.principal;
  const derived: ConditionContext =
    p.kind === 'user'
      ? {
          'aws:username': p.name,
          'aws:userid': p.name,
          'aws:PrincipalType': 'User',
          'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT_ID}:user/${p.name}`,
          'aws:PrincipalAccount': ACCOUNT_ID,
        }
      : p.kind === 'root'
        ? {
            'aws:userid': ACCOUNT_ID,
            'aws:PrincipalType': 'Account',
            'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT_ID}:root`,
            'aws:PrincipalAccount': ACCOUNT_ID,
          }
        : { 'aws:userid': 'anonymous', 'aws:PrincipalType': 'Anonymous' };
  const lowerGiven = new Set(
    Object.entries(request.context)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k.toLowerCase()),
  );
  const context: ConditionContext = { ...request.context };
  for (const [k, v] of Object.entries(derived)) if (!lowerGiven.has(k.toLowerCase())) context[k] = v;
  return context;
}

/** Variable lookup: single-valued keys only (multivalued keys cannot be policy variables), names case-insensitive. */
function lookupIn(context: ConditionContext): VariableLookup {
  const byLowerName = new Map<string, string>();
  for (const [k, v] of Object.entries(context)) {
    if (typeof v === 'string' && !byLowerName.has(k.toLowerCase())) byLowerName.set(k.toLowerCase(), v);
  }
  return (name) => (typeof context[name] === 'string' ? (context[name] as string) : byLowerName.get(name.toLowerCase()));
}
