import { describe, expect, it } from 'vitest';
import { operations } from '../../s3/operations.js';
import { SIGNED_SUBRESOURCES } from './string-to-sign.js';

// ListObjectsV2 is selected by list-type, which S3 does not sign; it grants nothing ListObjects does not.
const UNSIGNED_SELECTORS = new Set(['list-type']);

describe('SigV2 subresources', () => {
  it('every query parameter that selects an operation is signed', () => {
    const selectors = new Set((operations as readonly { query?: string }[]).flatMap((row) => (row.query === undefined ? [] : [row.query])));
    expect(selectors.size).toBeGreaterThan(20);
    for (const name of selectors) {
      if (!UNSIGNED_SELECTORS.has(name)) expect(SIGNED_SUBRESOURCES.has(name), name).toBe(true);
    }
  });
});
