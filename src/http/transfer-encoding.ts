// Request framing S3 accepts: Content-Length, or Transfer-Encoding: chunked and nothing else.
import { S3Error } from '../errors/s3-error.js';

/**
 * Any other transfer coding (gzip, compress, identity, a list such as `gzip, chunked`) is refused with 501
 * NotImplemented, as S3 refuses it, rather than stored as if its bytes were the object. The connection is closed:
 * the body's framing cannot be trusted to find where the next request starts.
 */
export function assertSupportedTransferEncoding(headers: Map<string, string>): void {
  const value = headers.get('transfer-encoding');
  if (value === undefined) return;
  const codings = value.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
  if (codings.length === 1 && codings[0] === 'chunked') return;
  throw new S3Error('NotImplemented', {
    fields: { Header: 'Transfer-Encoding' },
    headers: { connection: 'close' },
  });
}
