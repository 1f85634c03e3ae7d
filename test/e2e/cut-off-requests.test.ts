// A client that closes its connection without reading the answer, at any moment, still leaves exactly one
// request-log line, one audit record for a write, and no request counted as in flight.
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/types.js';
import { startCapturedServer, until, type CapturedServer } from '../support/captured-server.js';
import { buildRequest } from '../support/hostile-http.js';
import { s3Error } from '../support/s3-error.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from '../support/server.js';

const TOKEN = 'cut-off-metrics-token';
let s: CapturedServer;
let s3: S3Client;

beforeAll(async () => {
  s = await startCapturedServer({ SKLAD_METRICS_TOKEN: TOKEN });
  s3 = new S3Client({ endpoint: s.endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: 'cut' }));
});
afterAll(async () => {
  s3.destroy();
  await s.cleanup();
});

type Ending = 'reset' | 'end';

/** Sends a signed PUT of `size` bytes (or only `sent` of them), then closes the socket without reading the answer. */
async function putAndHangUp(key: string, size: number, ending: Ending, sent = size): Promise<void> {
  const request = buildRequest(s.port, { method: 'PUT', path: `/cut/${key}`, body: Buffer.alloc(size, 7) });
  const socket = net.connect(s.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  // The answer is discarded unread; flowing, the socket still sees the server close its side (a paused one
  // would wait forever on bytes nobody reads when the answer comes before the hang-up is noticed).
  socket.resume();
  await new Promise<void>((resolve) => socket.write(Buffer.concat([request.head, request.body.subarray(0, sent)]), () => resolve()));
  if (ending === 'reset') socket.resetAndDestroy();
  else socket.end();
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
}

async function inFlight(): Promise<number> {
  const res = await fetch(`${s.endpoint}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  return Number(/^sklad_requests_in_flight (\S+)$/m.exec(text)?.[1]);
}

const storedKeys = new Map<string, boolean>();
const requestLines = (key: string) => s.lines().filter((l) => l.msg === 'request' && l.key === key);

describe('requests whose client hangs up', () => {
  const cases: [string, number, Ending, number?][] = [
    ['small-reset', 1024, 'reset'],
    ['small-end', 1024, 'end'],
    ['large-reset', 300 * 1024, 'reset'],
    ['large-end', 300 * 1024, 'end'],
    ['half-sent', 300 * 1024, 'reset', 100 * 1024],
  ];

  it.each(cases)('%s: one log line, one audit record, nothing left in flight', async (key, size, ending, sent) => {
    await putAndHangUp(key, size, ending, sent);
    await until(() => requestLines(key).length > 0, `the request log line of ${key}`);
    await until(async () => (await inFlight()) === 1, 'in-flight requests back to only the metrics scrape');
    expect(requestLines(key)).toHaveLength(1);
    const stored = await s3.send(new HeadObjectCommand({ Bucket: 'cut', Key: key })).then(() => true, async (e: unknown) => {
      expect(await s3Error(Promise.reject(e))).toMatchObject({ status: 404 });
      return false;
    });
    storedKeys.set(key, stored);
    // A body that arrived whole is stored (the client only hung up on the answer); a cut body never is. A reset
    // may discard bytes the server had not read yet, so it can go either way, and the audit record must agree.
    if (sent !== undefined) expect(stored).toBe(false);
    else if (ending === 'end') expect(stored).toBe(true);
  });

  it('leaves exactly one audit record per write', async () => {
    await s.stop();
    const records = (await readFile(path.join(s.dataDir, 'audit', 'audit.jsonl'), 'utf8'))
      .split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
    for (const [key] of cases) {
      const mine = records.filter((r) => r.key === key);
      expect(mine, key).toHaveLength(1);
      expect(mine[0]!.result, key).toBe(storedKeys.get(key) ? 'success' : 'failure');
    }
  });
});
