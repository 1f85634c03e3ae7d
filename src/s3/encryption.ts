// Server-side encryption headers: not supported yet, so refused clearly rather than silently ignored.
import { S3Error } from '../errors.js';

export function rejectServerSideEncryption(headers: Map<string, string>): void {
  if (headers.has('x-amz-server-side-encryption') || headers.has('x-amz-server-side-encryption-customer-algorithm')) {
    throw new S3Error('NotImplemented', { message: 'Server-side encryption is not supported yet.' });
  }
}
