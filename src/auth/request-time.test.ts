import { describe, expect, it } from 'vitest';
import { formatAmzDate, parseAmzDate } from './request-time.js';

describe('x-amz-date', () => {
  it('formats the ISO 8601 basic form SigV4 signs, and parses it back', () => {
    const date = new Date(Date.UTC(2013, 4, 24, 7, 8, 9, 456));
    expect(formatAmzDate(date)).toBe('20130524T070809Z');
    expect(parseAmzDate('20130524T070809Z')).toEqual(new Date(Date.UTC(2013, 4, 24, 7, 8, 9)));
    expect(formatAmzDate(new Date('0001-01-01T00:00:00Z'))).toBe('00010101T000000Z');
  });

  it('refuses what is not a real instant in that form', () => {
    for (const bad of ['20130230T000000Z', '20130524T070809', '2013-05-24T07:08:09Z', '20130524T250000Z', '00500101T000000Z', '20130524T076000Z', '20130524T070860Z']) expect(parseAmzDate(bad)).toBeUndefined();
  });
});
