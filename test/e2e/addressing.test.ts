import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ACCESS_KEY, REGION, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';

const DOMAIN = 's3.sklad.test';
let t: TestServer;

/** Resolves every host name to 127.0.0.1, so `bucket.s3.sklad.test` reaches the test server. */
const loopbackAgent = new Agent({
  keepAlive: true,
  lookup: (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  },
});

beforeAll(async () => {
  t = await startTestServer({ domain: DOMAIN });
});
afterAll(async () => {
  loopbackAgent.destroy();
  await t.cleanup();
});

describe('virtual-hosted-style addressing', () => {
  it('serves bucket.DOMAIN requests from the AWS SDK and agrees with path style', async () => {
    const virtual = new S3Client({
      endpoint: `http://${DOMAIN}:${t.server.port}`,
      region: REGION,
      forcePathStyle: false,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      requestHandler: new NodeHttpHandler({ httpAgent: loopbackAgent }),
    });
    await virtual.send(new CreateBucketCommand({ Bucket: 'vhost' }));
    await virtual.send(new PutObjectCommand({ Bucket: 'vhost', Key: 'dir/../odd key+', Body: 'virtual' }));
    const listed = await virtual.send(new ListObjectsV2Command({ Bucket: 'vhost' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['dir/../odd key+']);
    const viaPath = await t.client().send(new GetObjectCommand({ Bucket: 'vhost', Key: 'dir/../odd key+' }));
    expect(await viaPath.Body!.transformToString()).toBe('virtual');
    virtual.destroy();
  });
});
