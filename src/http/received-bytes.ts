// How many body bytes a request actually delivered, whatever reads (or never reads) them.
import type { IncomingMessage } from 'node:http';

/**
 * Counts the body bytes Node's HTTP parser hands to the request (aws-chunked framing included), so the request
 * log records what arrived rather than what Content-Length promised: a client that announces 5 GiB and sends
 * three bytes is logged with three. The parser delivers every body chunk through `push`, the one place that sees
 * them all without consuming or re-timing the stream (a 'data' listener would switch it to flowing mode).
 */
export function countReceivedBytes(incoming: IncomingMessage): () => number {
  let received = 0;
  const push = incoming.push.bind(incoming);
  incoming.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk !== null && chunk !== undefined) received += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : (chunk as Uint8Array).length;
    return push(chunk, encoding);
  };
  return () => received;
}
