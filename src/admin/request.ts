// The HTTP edge of an admin request: SigV4 authentication (the S3 front end's own check, unchanged) and
// the capped, hash-verified body. Nothing here knows about users or buckets.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { authenticate } from '../auth/authenticate.js';
import type { CredentialStore, Principal } from '../auth/credentials.js';
import { ALGORITHM } from '../auth/sigv4/parse.js';
import { verifiedBody } from '../auth/sigv4/payload.js';
import type { PayloadMode } from '../auth/sigv4/payload-mode.js';
import { readHeaders } from '../http/dispatch.js';
import { accessDenied, AdminError } from './errors.js';

/** Admin documents are small; anything larger is refused before it is buffered. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface Authenticated {
  principal: Principal;
  payload: Extract<PayloadMode, { kind: 'sha256' }>;
}

/**
 * Only header-signed SigV4 with the body's SHA-256 is accepted. Presigned URLs are refused because a shareable
 * link must never be able to change users or keys, UNSIGNED-PAYLOAD because the body is the whole intent of an
 * admin request and must be covered by the signature, and SigV2 because nothing new should depend on it.
 */
export async function authenticateAdmin(
  incoming: IncomingMessage,
  opts: { region: string | undefined; credentials: CredentialStore },
): Promise<Authenticated> {
  const { headers, repeated } = readHeaders(incoming);
  const authorization = headers.get('authorization')?.trim() ?? '';
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw accessDenied('Admin requests must be signed with AWS Signature Version 4 in the Authorization header.');
  }
  const auth = await authenticate(
    { method: incoming.method ?? 'GET', rawTarget: incoming.url ?? '/', headers, repeatedHeaders: repeated, now: new Date() },
    { region: opts.region, credentials: opts.credentials },
  );
  if (auth.principal === null) throw accessDenied();
  if (auth.payload.kind !== 'sha256') {
    throw accessDenied('Admin requests must sign their body: x-amz-content-sha256 must be the SHA-256 of the body in hex.');
  }
  return { principal: auth.principal, payload: auth.payload };
}

function tooLarge(): AdminError {
  return new AdminError(413, 'EntityTooLarge', `The request body is larger than the ${MAX_BODY_BYTES} bytes allowed.`);
}

/** The whole body, checked against the signed SHA-256 when there is one (a mismatch fails with XAmzContentSHA256Mismatch). */
export async function readBody(incoming: IncomingMessage, payload: PayloadMode): Promise<Buffer> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const body: Readable = verifiedBody(incoming, payload, { contentEncodingChunked: false }).body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}
