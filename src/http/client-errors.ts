// What the server answers when Node's HTTP parser rejects a request before (or while) it reaches the app.
import type { Duplex } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';
import { errorResponse } from './error-response.js';

/** Node's own answers (lib/_http_server.js), kept for every parse error sklad has no better answer for. */
const NODE_ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
};
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';

/** S3's answer to a transfer coding other than chunked: 501 NotImplemented naming the header. */
function notImplementedTransferEncoding(): string {
  const error = new S3Error('NotImplemented', { fields: { Header: 'Transfer-Encoding' } });
  const res = errorResponse(error, 'PUT', '', '');
  const body = Buffer.from(String(res.body ?? ''), 'utf8');
  return `HTTP/1.1 501 Not Implemented\r\nContent-Type: application/xml\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('latin1')}`;
}

/**
 * The server's 'clientError' listener. Node refuses a Transfer-Encoding whose last coding is not chunked (`gzip`,
 * `chunked, gzip`) in its parser, with a bare 400; S3 answers such a request 501 NotImplemented, so that one is
 * answered as S3 does. Everything else gets exactly what Node would have sent, and the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex & { bytesWritten?: number }): void {
  if (socket.writable && (socket.bytesWritten ?? 0) === 0) {
    const answer = error.code === 'HPE_INVALID_TRANSFER_ENCODING' ? notImplementedTransferEncoding() : (NODE_ANSWERS[error.code ?? ''] ?? BAD_REQUEST);
    socket.write(answer, 'latin1');
  }
  socket.destroy(error);
}
