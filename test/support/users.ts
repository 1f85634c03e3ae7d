// Users and keys for access tests, made through the admin API as an operator would (signed as root).
import { S3Client } from '@aws-sdk/client-s3';
import { signedRequest } from './raw-client.js';
import { REGION, type TestServer } from './server.js';

const ADMIN = '/_sklad/admin/v1';

export interface TestUser {
  name: string;
  accessKeyId: string;
  secretKey: string;
  client: S3Client;
}

async function admin(server: TestServer, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await signedRequest(server.endpoint, {
    method,
    path: `${ADMIN}${path}`,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`admin ${method} ${path} → ${res.status} ${res.body}`);
  return res.body === '' ? undefined : JSON.parse(res.body);
}

/** Creates a user (with an identity policy if given) and one access key, and an SDK client signing with it. */
export async function createUser(server: TestServer, name: string, policy?: object): Promise<TestUser> {
  await admin(server, 'POST', '/users', policy === undefined ? { name } : { name, policy });
  const key = (await admin(server, 'POST', `/users/${encodeURIComponent(name)}/keys`)) as { accessKeyId: string; secretKey: string };
  const client = new S3Client({
    endpoint: server.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey },
  });
  return { name, ...key, client };
}

export async function setUserQuota(server: TestServer, name: string, quota: { maxBytes?: number; maxObjects?: number }): Promise<void> {
  await admin(server, 'PUT', `/users/${encodeURIComponent(name)}/quota`, quota);
}

export async function setBucketQuota(server: TestServer, bucket: string, quota: { maxBytes?: number; maxObjects?: number }): Promise<void> {
  await admin(server, 'PUT', `/buckets/${encodeURIComponent(bucket)}/quota`, quota);
}

export async function setUserPolicy(server: TestServer, name: string, policy: object): Promise<void> {
  await admin(server, 'PUT', `/users/${encodeURIComponent(name)}/policy`, policy);
}

/** An unsigned client: requests carry no credentials at all (anonymous). */
export function anonymousClient(server: TestServer): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: '', secretAccessKey: '' },
    signer: { sign: async (request) => request },
  });
}
