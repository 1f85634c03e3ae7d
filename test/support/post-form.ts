// Browser form uploads from tests: a presigned POST from boto3 (through python3), and posting a form the way
// a browser does (multipart/form-data, fields first, the file last).
import { boto3Python, run } from './external-clients.js';

export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

export interface Boto3PostRequest {
  endpoint: string;
  bucket: string;
  key: string;
  fields?: Record<string, string>;
  conditions?: unknown[];
  expires?: number;
  signatureVersion?: 's3v4' | 's3';
}

const SCRIPT = new URL('../e2e/python/presigned_post.py', import.meta.url).pathname;

/** boto3's generate_presigned_post, run in python3 with the test credentials and nothing of the machine's AWS setup. */
export async function boto3PresignedPost(request: Boto3PostRequest, env: NodeJS.ProcessEnv): Promise<PresignedPost> {
  const args = { ...request, signature_version: request.signatureVersion };
  const r = await run(boto3Python(), [SCRIPT, JSON.stringify(args)], { env });
  if (r.code !== 0) throw new Error(`presigned_post.py exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as PresignedPost;
}

export interface PostedForm {
  status: number;
  headers: Headers;
  body: string;
}

/** Posts `fields` then the file (named `filename`), as a browser submits a form; redirects are not followed. */
export async function postForm(url: string, fields: Record<string, string>, file: Buffer | string, filename = 'upload.bin'): Promise<PostedForm> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)]), filename);
  const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}
