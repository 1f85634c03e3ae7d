// The one error type of the policy module. It carries the S3 error code a caller should answer with, so
// callers can map it without parsing messages: policy documents → MalformedPolicy, ACL headers → InvalidArgument,
// e-mail grantees (sklad's users have no e-mail address) → UnresolvableGrantByEmailAddress.

export type PolicyErrorCode = 'MalformedPolicy' | 'InvalidArgument' | 'UnresolvableGrantByEmailAddress';

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;

  constructor(message: string, code: PolicyErrorCode = 'MalformedPolicy') {
    super(message);
    this.name = 'PolicyError';
    this.code = code;
  }
}

export function isPolicyError(e: unknown): e is PolicyError {
  return e instanceof PolicyError;
}
