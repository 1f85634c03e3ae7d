import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // about 0.36 s: uploads older than that are aborted by the pass that runs at every start
  t = await startTestServer({ env: { SKLAD_UPLOAD_EXPIRY_HOURS: '0.0001' } });
});
afterAll(() => t.cleanup());

describe('abandoned multipart uploads', () => {
  it('are aborted once older than the configured expiry', async () => {
    const s3 = t.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'expiry' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'expiry', Key: 'abandoned' }));
    await s3.send(new UploadPartCommand({ Bucket: 'expiry', Key: 'abandoned', UploadId, PartNumber: 1, Body: 'part' }));
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'expiry' }))).Uploads).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 800));
    await t.restart();
    const after = t.client();
    // the start-up pass runs in the background; give it a moment
    let uploads: unknown[] | undefined = [1];
    for (let i = 0; i < 250 && uploads?.length; i++) {
      uploads = (await after.send(new ListMultipartUploadsCommand({ Bucket: 'expiry' }))).Uploads;
      if (uploads?.length) await new Promise((r) => setTimeout(r, 20));
    }
    expect(uploads ?? []).toEqual([]);
  });
});
