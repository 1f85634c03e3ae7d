import { describe, expect, it } from 'vitest';
import { formatLogLine } from './terminal-log.js';

describe('terminal log lines', () => {
  it('renders a request as one short line: status, method, operation, target, time taken, who', () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 0), msg: 'request', requestId: 'X', op: 'PutObject', method: 'PUT', bucket: 'b', key: 'k/1.txt', status: 200, ms: 12.34, principal: { user: 'alice', accessKeyId: 'AK' }, bytesIn: 5 });
    const out = formatLogLine(line, false);
    expect(out).toMatch(/^\d\d:\d\d:\d\d 200 PUT PutObject b\/k\/1\.txt 12ms alice\n$/);
  });

  it('names the error code of a failed request', () => {
    const out = formatLogLine(JSON.stringify({ level: 30, msg: 'request', method: 'GET', op: 'GetObject', bucket: 'b', status: 403, ms: 1, principal: 'anonymous', errorCode: 'AccessDenied' }), false);
    expect(out).toContain('403 GET GetObject b 1.0ms anonymous AccessDenied');
  });

  it('renders other messages with their level and fields, and passes non-JSON through', () => {
    const out = formatLogLine(JSON.stringify({ level: 40, msg: 'master key file is readable', file: '/data/master key', pid: 1, hostname: 'h' }), false);
    expect(out).toMatch(/^\d\d:\d\d:\d\d WARN  master key file is readable file="\/data\/master key"\n$/);
    expect(formatLogLine('not json\n', false)).toBe('not json\n');
    expect(formatLogLine(JSON.stringify({ level: 50, msg: 'x' }), true)).toContain('\x1b[31m');
  });
});
