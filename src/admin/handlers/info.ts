// GET /info: what the server is and how much it holds.
import { ok, type AdminCall, type AdminResult } from '../route.js';
import type { InfoView } from '../types.js';

export async function getInfo({ deps }: AdminCall): Promise<AdminResult> {
  const [usage, buckets, users] = await Promise.all([deps.index.usage(), deps.index.listBuckets(), deps.identity.listUsers()]);
  const info: InfoView = {
    version: deps.version,
    uptimeSeconds: Math.floor((Date.now() - deps.startedAt.getTime()) / 1000),
    region: deps.settings.region,
    buckets: buckets.length,
    objects: usage.buckets.reduce((n, b) => n + b.objects, 0),
    bytes: usage.buckets.reduce((n, b) => n + b.bytes, 0),
    users: users.length,
  };
  return ok(info);
}
