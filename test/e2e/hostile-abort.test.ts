// Clients that stop sending mid-body: the connection is closed or reset after part of the announced bytes.
// Afterwards no temp file may remain under <dataDir>/tmp, the object (or part) must not exist, and an object the
// upload would have replaced keeps its bytes.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildRequest, exchange, familySeed, leftoverTempFiles, objectPath, runs, signedSend, storeDifferences, withHeaders,
  knownObjects, type KnownObject,
} from '../support/hostile-http.js';
import { useSeededServer } from '../support/seeded-server.js';

const BUCKET = 'hostile-abort';
const MiB = 1024 * 1024;
const known: KnownObject[] = knownObjects([
  { bucket: BUCKET, key: 'a/kept', data: Buffer.from('must survive every aborted overwrite') },
]);
let uploadId = '';

const server = useSeededServer(known, {
  async seed(port) {
    const created = await signedSend(port, { method: 'POST', path: objectPath(BUCKET, 'a/multipart'), query: [{ name: 'uploads', value: null }] });
    uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.reply!.body.toString())![1]!;
  },
});

async function tempFiles(): Promise<string[]> {
  return readdir(path.join(server.t.dataDir, 'tmp')).catch(() => []);
}

/** Waits (up to `ms`) until the server has a temp file open, so the abort hits a write in progress. */
async function writeStarted(ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await tempFiles()).length > 0) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

type Target = 'new-object' | 'overwrite' | 'part' | 'chunked';

interface Abort {
  target: Target;
  announced: number;
  sent: number;
  how: 'destroy' | 'reset' | 'end';
  payload: 'unsigned' | 'sha256';
}

const abort: fc.Arbitrary<Abort> = fc
  .record({
    target: fc.constantFrom<Target>('new-object', 'overwrite', 'part', 'chunked'),
    announced: fc.constantFrom(MiB, MiB + 1, 4 * MiB, 300_000),
    fraction: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    how: fc.constantFrom<'destroy' | 'reset' | 'end'>('destroy', 'reset', 'end'),
    payload: fc.constantFrom<'unsigned' | 'sha256'>('unsigned', 'sha256'),
  })
  .map(({ fraction, ...rest }) => ({ ...rest, sent: Math.max(1, Math.floor(rest.announced * fraction)) }));

let counter = 0;

describe('clients that stop sending mid-body', () => {
  it('an upload cut off after part of its body leaves no temp file, no object and no part', async () => {
    const seed = familySeed('abort/mid-body', 7_001);
    await fc.assert(
      fc.asyncProperty(abort, async (a) => {
        const key = a.target === 'overwrite' ? known[0]!.key : a.target === 'part' ? 'a/multipart' : `a/new-${counter++}`;
        const data = Buffer.alloc(a.announced, 0x5a);
        const query = a.target === 'part' ? [{ name: 'partNumber', value: String((counter++ % 10_000) + 1) }, { name: 'uploadId', value: uploadId }] : [];
        let head: Buffer;
        let body: Buffer;
        if (a.target === 'chunked') {
          // one unsigned aws-chunked chunk announcing all the data; the stream stops inside it
          const built = buildRequest(server.port, {
            method: 'PUT', path: objectPath(BUCKET, key), payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', contentLength: null,
            headers: [['content-encoding', 'aws-chunked'], ['x-amz-decoded-content-length', String(a.announced)]],
          });
          body = Buffer.concat([Buffer.from(`${a.announced.toString(16)}\r\n`), data, Buffer.from('\r\n0\r\n\r\n')]);
          head = withHeaders(built.head, [['content-length', String(body.length)]]);
        } else {
          const built = buildRequest(server.port, {
            method: 'PUT', path: objectPath(BUCKET, key), query, body: data,
            ...(a.payload === 'unsigned' ? { payloadHash: 'UNSIGNED-PAYLOAD' } : {}),
          });
          head = built.head;
          body = data;
        }
        const partial = body.subarray(0, Math.min(a.sent, body.length - 1));
        const o = await exchange(server.port, async (socket) => {
          socket.write(Buffer.concat([head, partial]));
          await writeStarted();
          if (a.how === 'reset') socket.resetAndDestroy();
          else if (a.how === 'destroy') socket.destroy();
          else socket.end();
        }, { timeoutMs: 5000 });
        // the client went away, so a reply is optional; a hang is not
        expect(o.timedOut, 'the server hung on a half-sent body').toBe(false);
        if (o.reply) expect(o.reply.status, 'a reply to a cut-off body is an error').toBeGreaterThanOrEqual(400);
        if (o.reply) expect(o.reply.status).not.toBe(500);
        expect(await leftoverTempFiles(server.t.dataDir, 4000), `temp files after ${JSON.stringify(a)}`).toEqual([]);
        if (a.target === 'overwrite') {
          const got = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, key) });
          expect(got.reply?.body.equals(known[0]!.data)).toBe(true);
        } else if (a.target === 'part') {
          const parts = await signedSend(server.port, { method: 'GET', path: objectPath(BUCKET, key), query: [{ name: 'uploadId', value: uploadId }] });
          expect(parts.reply?.status).toBe(200);
          expect(parts.reply?.body.toString()).not.toContain('<Part>');
        } else {
          const headReply = await signedSend(server.port, { method: 'HEAD', path: objectPath(BUCKET, key) });
          expect(headReply.reply?.status, `${key} must not exist`).toBe(404);
        }
      }),
      { seed, numRuns: runs(60) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);

  it('many uploads cut off at once leave no temp files', async () => {
    const seed = familySeed('abort/concurrent', 7_002);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ sent: fc.integer({ min: 1, max: MiB - 1 }), reset: fc.boolean() }), { minLength: 2, maxLength: 12 }), async (cuts) => {
        await Promise.all(cuts.map(async (c, i) => {
          const built = buildRequest(server.port, { method: 'PUT', path: objectPath(BUCKET, `a/many-${counter}-${i}`), body: Buffer.alloc(MiB, 1), payloadHash: 'UNSIGNED-PAYLOAD' });
          const o = await exchange(server.port, async (socket) => {
            socket.write(Buffer.concat([built.head, built.body.subarray(0, c.sent)]));
            await new Promise((r) => setTimeout(r, 20));
            if (c.reset) socket.resetAndDestroy();
            else socket.destroy();
          }, { timeoutMs: 5000 });
          expect(o.timedOut).toBe(false);
        }));
        counter++;
        expect(await leftoverTempFiles(server.t.dataDir, 4000)).toEqual([]);
      }),
      { seed, numRuns: runs(10) },
    );
    expect(await storeDifferences(server.port, server.before, known)).toEqual([]);
  }, 60_000);
});
