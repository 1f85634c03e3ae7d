// Captures the S3 error a client call fails with, so tests can assert code and status exactly.
import { S3ServiceException } from '@aws-sdk/client-s3';

export interface CapturedError {
  name: string;
  status?: number;
  message: string;
}

export async function s3Error(call: Promise<unknown>): Promise<CapturedError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof S3ServiceException) return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
    throw e;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Fails unless the call fails with this S3 error code (and HTTP status, when given). */
export async function expectS3Error(call: Promise<unknown>, code: string, status?: number): Promise<void> {
  const error = await s3Error(call);
  const { expect } = await import('vitest');
  expect(error.name, error.message).toBe(code);
  if (status !== undefined) expect(error.status).toBe(status);
}
