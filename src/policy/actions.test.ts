import { describe, expect, it } from 'vitest';
import { resourceArn } from './actions.js';

describe('resourceArn', () => {
  it.each([
    [undefined, undefined, '*'],
    ['b', undefined, 'arn:aws:s3:::b'],
    ['b', 'k', 'arn:aws:s3:::b/k'],
    ['b', 'a/b c', 'arn:aws:s3:::b/a/b c'],
    ['b', '', 'arn:aws:s3:::b/'],
  ])('%s %s → %s', (bucket, key, arn) => {
    expect(resourceArn(bucket, key)).toBe(arn);
  });
});
