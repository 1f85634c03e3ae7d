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
