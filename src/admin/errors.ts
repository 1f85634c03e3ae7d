// Admin API errors: one type with an HTTP status and an IAM-style code, and the mapping from the errors
// the layers below throw (identity index, S3 authentication, storage) to it.
import { isS3Error } from '../errors/s3-error.js';
import { IdentityError } from '../storage/identity-index.js';
import type { AdminErrorCode } from './types.js';

export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: AdminErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export const invalidInput = (message: string): AdminError => new AdminError(400, 'InvalidInput', message);
export const noSuchUser = (name: string): AdminError => new AdminError(404, 'NoSuchEntity', `The user with name ${name} cannot be found.`);
export const noSuchKey = (id: string): AdminError => new AdminError(404, 'NoSuchEntity', `The access key with id ${id} cannot be found.`);
export const noSuchBucket = (name: string): AdminError => new AdminError(404, 'NoSuchBucket', `The bucket ${name} does not exist.`);
export const accessDenied = (message = 'Access Denied'): AdminError => new AdminError(403, 'AccessDenied', message);

const identityStatus: Record<IdentityError['code'], number> = {
  EntityAlreadyExists: 409,
  NoSuchEntity: 404,
  DeleteConflict: 409,
};

/**
 * The AdminError an error stands for, or undefined for an unexpected one (which becomes a logged 500).
 * S3 errors keep their code and status: authentication failures (SignatureDoesNotMatch, InvalidAccessKeyId,
 * RequestTimeTooSkewed…) and storage refusals (NoSuchBucket) read the same as they do over S3.
 */
export function toAdminError(error: unknown): AdminError | undefined {
  if (error instanceof AdminError) return error;
  if (error instanceof IdentityError) return new AdminError(identityStatus[error.code], error.code, error.message);
  if (isS3Error(error) && error.status < 500) return new AdminError(error.status, error.code, error.message);
  return undefined;
}
