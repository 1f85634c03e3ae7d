import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BlobDecryptionError,
  ciphertextSize,
  EncryptingStream,
  openDecryptedRange,
  SALT_BYTES,
  SEGMENT_BYTES,
  segmentCount,
  TAG_BYTES,
} from './blob-format.js';

const SEG = SEGMENT_BYTES;
const key = randomBytes(32);

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Encrypts `plain`, fed in chunks of varying size. */
async function encrypt(plain: Buffer, dataKey = key, chunk = 7919): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < plain.length; i++) {
    const n = Math.min(plain.length - at, i % 3 === 0 ? 1 : chunk * (i % 5 + 1));
    pieces.push(plain.subarray(at, at + n));
    at += n;
  }
  const enc = new EncryptingStream(dataKey);
  const out = collect(enc);
  await pipeline(Readable.from(pieces), enc);
  return out;
}

/** A BlobStore.read stand-in over an in-memory blob that records the ranges asked for. */
function reader(blob: Buffer, asked: { start: number; end: number }[] = []) {
  return async (range: { start: number; end: number }) => {
    asked.push(range);
    return Readable.from([blob.subarray(range.start, range.end + 1)]);
  };
}

async function decrypt(blob: Buffer, plainSize: number, start = 0, end = plainSize - 1, dataKey = key): Promise<Buffer> {
  return collect(await openDecryptedRange(reader(blob), dataKey, plainSize, start, end));
}

async function expectFailure(work: Promise<unknown>): Promise<void> {
  await expect(work).rejects.toBeInstanceOf(BlobDecryptionError);
}

const sizes = [0, 1, 2, 15, 16, 17, 1000, SEG - 1, SEG, SEG + 1, 2 * SEG - 1, 2 * SEG, 2 * SEG + 1, 3 * SEG + 4097];

describe('encrypted blob format', () => {
  it.each(sizes)('round-trips %i bytes, with the computed ciphertext size', async (size) => {
    const plain = randomBytes(size);
    const blob = await encrypt(plain);
    expect(blob.length).toBe(ciphertextSize(size));
    expect(blob.length).toBe(SALT_BYTES + size + segmentCount(size) * TAG_BYTES);
    expect((await decrypt(blob, size, 0, Math.max(0, size - 1))).equals(plain)).toBe(true);
  });

  it('never writes the plaintext, and the same plaintext twice gives different blobs', async () => {
    const plain = Buffer.alloc(3 * SEG, 'secret text ');
    const a = await encrypt(plain);
    const b = await encrypt(plain);
    expect(a.includes(Buffer.from('secret text'))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('decrypts every range of a small blob', async () => {
    const plain = randomBytes(97);
    const blob = await encrypt(plain);
    for (let start = 0; start < plain.length; start++) {
      for (let end = start; end < plain.length; end++) {
        expect((await decrypt(blob, plain.length, start, end)).equals(plain.subarray(start, end + 1))).toBe(true);
      }
    }
  });

  it('decrypts every range between segment boundaries of a multi-segment blob, reading only the segments touched', async () => {
    const size = 3 * SEG + 100;
    const plain = randomBytes(size);
    const blob = await encrypt(plain);
    const points = [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG - 1, 2 * SEG, 2 * SEG + 1, 3 * SEG - 1, 3 * SEG, 3 * SEG + 1, size - 2, size - 1];
    for (const start of points) {
      for (const end of points) {
        if (end < start) continue;
        const asked: { start: number; end: number }[] = [];
        const got = await collect(await openDecryptedRange(reader(blob, asked), key, size, start, end));
        expect(got.equals(plain.subarray(start, end + 1))).toBe(true);
        const segments = Math.floor(end / SEG) - Math.floor(start / SEG) + 1;
        const read = asked.reduce((n, r) => n + r.end - r.start + 1, 0);
        expect(read).toBeLessThanOrEqual(SALT_BYTES + segments * (SEG + TAG_BYTES));
      }
    }
  });

  it('decrypts random ranges of random sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 * SEG }), fc.nat(), fc.nat(), async (size, a, b) => {
        const plain = randomBytes(size);
        const blob = await encrypt(plain, key, 1 + (a % 70_000));
        const start = a % size;
        const end = start + (b % (size - start));
        expect((await decrypt(blob, size, start, end)).equals(plain.subarray(start, end + 1))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('fails on a flipped byte anywhere: salt, segment body, tag', async () => {
    const size = 2 * SEG + 10;
    const blob = await encrypt(randomBytes(size));
    for (const at of [0, SALT_BYTES - 1, SALT_BYTES, SALT_BYTES + SEG - 1, SALT_BYTES + SEG + 3, SALT_BYTES + SEG + TAG_BYTES + 5, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[at]! ^= 0x01;
      await expectFailure(decrypt(bad, size));
    }
    // A ranged read fails only if it touches the damaged segment.
    const bad = Buffer.from(blob);
    bad[SALT_BYTES + 2 * (SEG + TAG_BYTES) + 1]! ^= 0x80;
    await expect(decrypt(bad, size, 0, SEG - 1)).resolves.toHaveLength(SEG);
    await expectFailure(decrypt(bad, size, 2 * SEG, 2 * SEG + 1));
  });

  it('fails on a truncated blob, even one cut exactly at a segment boundary', async () => {
    const size = 3 * SEG;
    const blob = await encrypt(randomBytes(size));
    await expectFailure(decrypt(blob.subarray(0, blob.length - 1), size));
    await expectFailure(decrypt(blob.subarray(0, SALT_BYTES + 2 * (SEG + TAG_BYTES)), size));
    // Cut to two whole segments and read as a two-segment blob: segment 1 was not sealed as the final one.
    await expectFailure(decrypt(blob.subarray(0, SALT_BYTES + 2 * (SEG + TAG_BYTES)), 2 * SEG));
    await expectFailure(decrypt(blob.subarray(0, 10), size));
    await expectFailure(decrypt(Buffer.alloc(0), 0, 0, 0));
  });

  it('fails on swapped or duplicated segments', async () => {
    const size = 3 * SEG;
    const blob = await encrypt(randomBytes(size));
    const seg = (i: number) => blob.subarray(SALT_BYTES + i * (SEG + TAG_BYTES), SALT_BYTES + (i + 1) * (SEG + TAG_BYTES));
    const salt = blob.subarray(0, SALT_BYTES);
    await expectFailure(decrypt(Buffer.concat([salt, seg(1), seg(0), seg(2)]), size));
    await expectFailure(decrypt(Buffer.concat([salt, seg(0), seg(0), seg(2)]), size));
    await expectFailure(decrypt(Buffer.concat([salt, seg(0), seg(2), seg(1)]), size));
  });

  it('fails on a segment spliced in from another blob under the same data key', async () => {
    const size = 2 * SEG;
    const a = await encrypt(randomBytes(size));
    const b = await encrypt(randomBytes(size));
    const spliced = Buffer.concat([a.subarray(0, SALT_BYTES + SEG + TAG_BYTES), b.subarray(SALT_BYTES + SEG + TAG_BYTES)]);
    await expectFailure(decrypt(spliced, size));
  });

  it('fails with the wrong key and on a longer blob than recorded', async () => {
    const blob = await encrypt(randomBytes(1000));
    await expectFailure(decrypt(blob, 1000, 0, 999, randomBytes(32)));
    const longer = Buffer.concat([blob, Buffer.from([0])]);
    await expectFailure(collect(await openDecryptedRange(async () => Readable.from([longer]), key, 1000, 0, 999)));
    await expectFailure(decrypt(blob, 999));
  });
});
