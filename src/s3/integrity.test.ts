import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { ObjectRecord } from '../storage/metadata-index.js';
import { combineVerifyCrc32c } from './checksums/crc-combine.js';
import { DigestingStream } from './checksums/body-digest.js';
import { IntegrityError, IntegrityVerifier, type VerifyMode } from './integrity.js';

async function digestsOf(data: Buffer): Promise<{ md5Hex: string; verifyCrc32c: string }> {
  const digesting = new DigestingStream('CRC64NVME');
  await pipeline(Readable.from([data]), digesting, new Writable({ write: (_c, _e, cb) => cb() }));
  return digesting.digests();
}

function recordOf(data: Buffer, overrides: Partial<ObjectRecord>): ObjectRecord {
  return {
    bucket: 'b', key: 'k', versionId: 'null', size: data.length, etag: '', lastModified: new Date(0), owner: 'o',
    storageClass: 'STANDARD', contentHeaders: {}, userMetadata: {}, tags: [], acl: 'private', blobs: [], deleteMarker: false,
    ...overrides,
  };
}

async function verify(record: ObjectRecord, served: Buffer, mode: VerifyMode = 'fast'): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from([served.subarray(0, 1000), served.subarray(1000)]),
    new IntegrityVerifier(record, mode),
    new Writable({ write(chunk: Buffer, _e, cb) { out.push(chunk); cb(); } }),
  );
  return Buffer.concat(out);
}

function flipped(data: Buffer, at: number): Buffer {
  const copy = Buffer.from(data);
  copy[at] = copy[at]! ^ 1;
  return copy;
}

describe('IntegrityVerifier with the verification CRC32C', () => {
  const data = randomBytes(70_000);

  it('passes intact bytes and catches a flipped byte, without the MD5 when the CRC32C is recorded', async () => {
    const d = await digestsOf(data);
    // A wrong ETag shows the fast mode does not consult the MD5 once a CRC32C is recorded.
    const record = recordOf(data, { etag: '0'.repeat(32), verifyCrc32c: d.verifyCrc32c });
    expect((await verify(record, data)).equals(data)).toBe(true);
    await expect(verify(record, flipped(data, 5))).rejects.toBeInstanceOf(IntegrityError);
    // The thorough mode (scrub) checks every digest, the MD5 included.
    await expect(verify(record, data, 'thorough')).rejects.toThrow(/MD5/);
  });

  it('falls back to the MD5 for objects recorded without a CRC32C', async () => {
    const d = await digestsOf(data);
    const record = recordOf(data, { etag: d.md5Hex });
    expect((await verify(record, data)).equals(data)).toBe(true);
    await expect(verify(record, flipped(data, 69_999))).rejects.toThrow(/MD5/);
  });

  it('verifies a multipart object by its parts combined CRC32C', async () => {
    const parts = [data.subarray(0, 30_000), data.subarray(30_000, 30_000), data.subarray(30_000)];
    const crcs = await Promise.all(parts.map(async (p) => ({ verifyCrc32c: (await digestsOf(p)).verifyCrc32c, size: p.length })));
    const combined = combineVerifyCrc32c(crcs);
    expect(combined).toBe((await digestsOf(data)).verifyCrc32c);
    expect(combineVerifyCrc32c([...crcs, { size: 3 }])).toBeUndefined();
    const record = recordOf(data, { etag: 'x-3', verifyCrc32c: combined! });
    expect((await verify(record, data)).equals(data)).toBe(true);
    await expect(verify(record, flipped(data, 40_000))).rejects.toBeInstanceOf(IntegrityError);
  });
});
