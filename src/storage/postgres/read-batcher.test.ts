import { describe, expect, it } from 'vitest';
import { ReadBatcher } from './read-batcher.js';

/** A read whose batches stay open until released, recording what each asked. */
function heldReads() {
  const batches: { questions: number[]; release: (answers?: (string | undefined)[]) => void; fail: (error: Error) => void }[] = [];
  const read = (questions: number[]) =>
    new Promise<(string | undefined)[]>((resolve, reject) => {
      batches.push({ questions, release: (answers) => resolve(answers ?? questions.map((q) => (q % 2 === 0 ? `even ${q}` : undefined))), fail: reject });
    });
  return { batches, read };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadBatcher', () => {
  it('starts a read at once when fewer than its concurrency run, and batches the ones that arrive meanwhile', async () => {
    const { batches, read } = heldReads();
    const batcher = new ReadBatcher(read, 2);
    const first = batcher.get(1);
    const second = batcher.get(2);
    expect(batches.map((b) => b.questions)).toEqual([[1], [2]]);
    const waiting = [3, 4, 5, 6].map((q) => batcher.get(q));
    expect(batches).toHaveLength(2);
    batches[0]!.release();
    expect(await first).toBeUndefined();
    await settle();
    // Everything that waited goes in the one batch the freed slot starts.
    expect(batches.map((b) => b.questions)).toEqual([[1], [2], [3, 4, 5, 6]]);
    batches[1]!.release();
    batches[2]!.release();
    expect(await second).toBe('even 2');
    expect(await Promise.all(waiting)).toEqual([undefined, 'even 4', undefined, 'even 6']);
  });

  it('keeps batches to their largest size', async () => {
    const { batches, read } = heldReads();
    const batcher = new ReadBatcher(read, 1, 3);
    const answers = [1, 2, 3, 4, 5, 6, 7, 8].map((q) => batcher.get(q));
    for (let i = 0; i < 4; i++) {
      batches[i]!.release();
      await settle();
    }
    expect(batches.map((b) => b.questions)).toEqual([[1], [2, 3, 4], [5, 6, 7], [8]]);
    expect(await Promise.all(answers)).toEqual([undefined, 'even 2', undefined, 'even 4', undefined, 'even 6', undefined, 'even 8']);
  });

  it('fails every read of a failed batch, and only those', async () => {
    const { batches, read } = heldReads();
    const batcher = new ReadBatcher(read, 1);
    const first = batcher.get(2);
    const inBatch = [batcher.get(4), batcher.get(6)];
    batches[0]!.release();
    await settle();
    const after = batcher.get(8);
    batches[1]!.fail(new Error('connection lost'));
    expect(await first).toBe('even 2');
    for (const read of inBatch) await expect(read).rejects.toThrow('connection lost');
    await settle();
    batches[2]!.release();
    expect(await after).toBe('even 8');
  });
});
