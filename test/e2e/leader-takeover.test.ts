// Three gateways over one database elect one leader for the background work. While it lives, only it works:
// only it runs lifecycle passes and aborts expired uploads, each once. Killed (SIGKILL), it is replaced
// within a bounded time by exactly one of the others, which then does the work the dead one would have done.
// Observed from outside, through each gateway's /metrics (every series carries the gateway's id).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startChild, type ChildServer } from '../support/child-server.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from '../support/server.js';

/** Time for a follower to notice the lease is free (it retries every 5 s), with room for a loaded machine. */
const TAKEOVER_BOUND_MS = 20_000;

let cluster: PostgresCluster;
let dataDir: string;
const gateways = new Map<string, ChildServer>();
const clients: S3Client[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-leader-'));
  const env = {
    SKLAD_METADATA_URL: await cluster.createDatabase(),
    SKLAD_ACCESS_KEY: ACCESS_KEY,
    SKLAD_SECRET_KEY: SECRET_KEY,
    SKLAD_MASTER_KEY: randomBytes(32).toString('base64'),
    SKLAD_LOG_LEVEL: 'warn',
    SKLAD_METRICS_PUBLIC: 'true',
    // Uploads expire after 3.6 s and passes run every second; a lifecycle "day" of 1 s makes a lifecycle
    // pass over all buckets every 100 ms.
    SKLAD_UPLOAD_EXPIRY_HOURS: '0.001',
    SKLAD_LIFECYCLE_DAY_SECONDS: '1',
  };
  for (const id of ['gw1', 'gw2', 'gw3']) {
    gateways.set(id, await startChild(['--data', dataDir, '--host', '127.0.0.1', '--port', '0'], { ...env, SKLAD_GATEWAY_ID: id }));
  }
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const gateway of gateways.values()) await gateway.stop();
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function client(gateway: ChildServer): S3Client {
  const c = new S3Client({
    endpoint: gateway.url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  clients.push(c);
  return c;
}

/** One sample of `name` from the gateway's /metrics (undefined when the series is absent). */
async function metric(gateway: ChildServer, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Per living gateway, the value of `name`. */
async function everywhere(name: string): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {};
  for (const [id, gateway] of gateways) out[id] = await metric(gateway, name);
  return out;
}

async function leaders(): Promise<string[]> {
  return Object.entries(await everywhere('sklad_leader')).filter(([, v]) => v === 1).map(([id]) => id);
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function openUploads(c: S3Client): Promise<number> {
  return (await c.send(new ListMultipartUploadsCommand({ Bucket: 'work' }))).Uploads?.length ?? 0;
}

it('runs background work on one leader at a time and hands it over when the leader is killed', { timeout: 120_000 }, async () => {
  const first = await leaders();
  expect(first).toHaveLength(1);
  const leader = first[0]!;
  const followers = [...gateways.keys()].filter((id) => id !== leader);

  // While the leader lives, only it works: lifecycle passes run there and nowhere else (not even once at start).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const passes = await everywhere('sklad_lifecycle_last_pass_finished_timestamp_seconds');
  expect(passes[leader]).toBeGreaterThan(0);
  // (A gauge never set reads 0.)
  for (const id of followers) expect(passes[id] ?? 0, id).toBe(0);

  // An abandoned upload, started through a follower, is aborted once, by the leader.
  const s3 = client(gateways.get(followers[0]!)!);
  await s3.send(new CreateBucketCommand({ Bucket: 'work' }));
  await s3.send(new CreateMultipartUploadCommand({ Bucket: 'work', Key: 'abandoned-1' }));
  await until('the first upload expires', 30_000, async () => ((await openUploads(s3)) === 0 ? true : undefined));
  expect(await everywhere('sklad_upload_expiry_aborted_total')).toEqual({ [leader]: 1, [followers[0]!]: 0, [followers[1]!]: 0 });

  // The leader dies without a word; a second abandoned upload waits for whoever takes over.
  const victim = gateways.get(leader)!;
  victim.child.kill('SIGKILL');
  await victim.exited;
  gateways.delete(leader);
  const killedAt = Date.now();
  await s3.send(new CreateMultipartUploadCommand({ Bucket: 'work', Key: 'abandoned-2' }));

  const next = await until('a follower takes over', TAKEOVER_BOUND_MS, async () => {
    const now = await leaders();
    return now.length > 0 ? now : undefined;
  });
  expect(next).toHaveLength(1);
  const successor = next[0]!;
  const bystander = followers.find((id) => id !== successor)!;
  expect(Date.now() - killedAt).toBeLessThan(TAKEOVER_BOUND_MS);

  await until('the second upload expires', 30_000, async () => ((await openUploads(s3)) === 0 ? true : undefined));
  expect(await everywhere('sklad_upload_expiry_aborted_total')).toEqual({ [successor]: 1, [bystander]: 0 });
  // The successor runs the lifecycle passes now; the other follower still runs none.
  const after = await until('the successor runs lifecycle passes', 10_000, async () => {
    const now = await everywhere('sklad_lifecycle_last_pass_finished_timestamp_seconds');
    return (now[successor] ?? 0) > 0 ? now : undefined;
  });
  expect(after[bystander] ?? 0).toBe(0);
  // Exactly one leader still.
  expect(await leaders()).toEqual([successor]);
});
