// One of three gateways killed (SIGKILL) at seeded random moments while writes go through all three: the
// other two keep serving without a single failure, every acknowledged write is present and byte-identical
// through any gateway, a write cut by the kill is either absent or whole, and the killed gateway's restart
// (its start-up recovery on the shared folder) takes nothing away from what the others wrote meanwhile.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { random as prng } from '../contract/reference-listing.js';
import { startChild, type ChildServer } from '../support/child-server.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from '../support/server.js';

const KILLS = Number(process.env.SKLAD_GATEWAY_KILLS ?? 3);
const SEED = Number(process.env.SKLAD_CRASH_SEED ?? 20261202);

let cluster: PostgresCluster;
let dataDir: string;
let env: Record<string, string>;
const gateways: ChildServer[] = [];

function client(gateway: ChildServer): S3Client {
  return new S3Client({
    endpoint: gateway.url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    // One attempt: a retried request must not hide a failure.
    maxAttempts: 1,
  });
}

function start(id: string): Promise<ChildServer> {
  return startChild(['--data', dataDir, '--host', '127.0.0.1', '--port', '0'], { ...env, SKLAD_GATEWAY_ID: id });
}

beforeAll(async () => {
  cluster = await startPostgres();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-gateway-crash-'));
  env = {
    SKLAD_METADATA_URL: await cluster.createDatabase(),
    SKLAD_ACCESS_KEY: ACCESS_KEY,
    SKLAD_SECRET_KEY: SECRET_KEY,
    SKLAD_MASTER_KEY: randomBytes(32).toString('base64'),
    SKLAD_LOG_LEVEL: 'warn',
    SKLAD_SHUTDOWN_GRACE_MS: '1000',
  };
  for (const id of ['gw1', 'gw2', 'gw3']) gateways.push(await start(id));
}, 120_000);

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Write {
  key: string;
  sha256: string;
  acked: boolean;
  /** Index of the gateway it was sent to (2 is the one killed). */
  gateway: number;
}

const digest = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

it(`keeps serving and loses nothing while one gateway is killed ${KILLS} times`, { timeout: 240_000 }, async () => {
  const next = prng(SEED);
  await client(gateways[0]!).send(new CreateBucketCommand({ Bucket: 'crash' }));
  const writes: Write[] = [];
  const survivorFailures: string[] = [];
  let sequence = 0;

  for (let kill = 0; kill < KILLS; kill++) {
    const clients = gateways.map(client);
    let stop = false;
    // Two workers per gateway, each writing its own fresh keys until told to stop.
    const workers = Array.from({ length: 6 }, async (_, worker) => {
      const gateway = worker % 3;
      while (!stop) {
        const data = randomBytes(next() < 0.5 ? 1000 : 100_000 + Math.floor(next() * 200_000));
        const write: Write = { key: `w${worker}/${sequence++}`, sha256: digest(data), acked: false, gateway };
        writes.push(write);
        try {
          await clients[gateway]!.send(new PutObjectCommand({ Bucket: 'crash', Key: write.key, Body: data }));
          write.acked = true;
        } catch (error) {
          if (gateway !== 2) survivorFailures.push(`${write.key} via gw${gateway + 1}: ${String(error)}`);
          // The victim is gone: wait for its restart rather than spin.
          if (gateway === 2) while (!stop) await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    });
    // Kill only once the victim has acknowledged a write of this round (however slow the machine), then at a
    // random moment after: every round then kills a gateway that was really taking writes.
    const ackedBefore = writes.filter((w) => w.gateway === 2 && w.acked).length;
    for (let waited = 0; waited < 30_000 && writes.filter((w) => w.gateway === 2 && w.acked).length === ackedBefore; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(next() * 800)));
    const victim = gateways[2]!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    // The survivors keep taking writes for a while without it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop = true;
    await Promise.all(workers);
    for (const c of clients) c.destroy();
    gateways[2] = await start('gw3');
  }

  expect(survivorFailures).toEqual([]);
  expect(writes.filter((w) => w.gateway === 2 && w.acked).length).toBeGreaterThan(0);
  const readers = gateways.map(client);
  let violations = 0;
  for (const [i, write] of writes.entries()) {
    const reader = readers[i % 3]!;
    try {
      const out = await reader.send(new GetObjectCommand({ Bucket: 'crash', Key: write.key }));
      const got = digest(await out.Body!.transformToByteArray());
      // Present means whole: an acknowledged write or one cut by the kill, never a mix.
      if (got !== write.sha256) violations += 1;
    } catch (error) {
      // Absent is allowed only for a write the kill cut short.
      if (write.acked || (error as Error).name !== 'NoSuchKey') violations += 1;
    }
  }
  for (const r of readers) r.destroy();
  expect(violations).toBe(0);
});
