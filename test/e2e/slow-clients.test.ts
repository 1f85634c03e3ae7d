import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';
import { signer } from '../support/raw-client.js';
import { s3Error } from '../support/s3-error.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ env: { SKLAD_IDLE_TIMEOUT_MS: '500', SKLAD_HEADERS_TIMEOUT_MS: '1000' } });
  await t.client().send(new CreateBucketCommand({ Bucket: 'slow' }));
});
afterAll(() => t.cleanup());

/** Opens a raw connection, writes `data`, and resolves when the server closes it (with what it answered). */
function stallingClient(data: Buffer | string): Promise<{ closedAfterMs: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(t.server.port, '127.0.0.1', () => socket.write(data));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve({ closedAfterMs: Date.now() - started, answer }));
    socket.on('error', () => undefined);
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the server never closed a stalled connection'));
    }, 10_000);
  });
}

describe('slow and stalled clients', () => {
  it('closes an upload that stops sending and keeps nothing of it', async () => {
    const url = new URL(t.endpoint);
    const headers: Record<string, string> = { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': String(1024 * 1024) };
    const signed = await signer().sign({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/slow/stalled', query: {}, headers });
    const head = [`PUT /slow/stalled HTTP/1.1`, ...Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    const result = await stallingClient(Buffer.concat([Buffer.from(head), Buffer.alloc(100 * 1024, 7)]));
    expect(result.closedAfterMs).toBeLessThan(9000);
    // the temporary file of the abandoned upload is removed once its stream errors
    let tmp: string[] = ['pending'];
    for (let i = 0; i < 200 && tmp.length > 0; i++) {
      tmp = await readdir(path.join(t.dataDir, 'tmp'));
      if (tmp.length > 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(tmp).toEqual([]);
    expect(await s3Error(t.client().send(new HeadObjectCommand({ Bucket: 'slow', Key: 'stalled' })))).toMatchObject({ status: 404 });
  });

  it('closes a connection that never finishes its headers', async () => {
    const result = await stallingClient('GET /slow HTTP/1.1\r\nHost: x\r\n');
    expect(result.closedAfterMs).toBeLessThan(9000);
  });
});
