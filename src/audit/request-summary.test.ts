import type { IncomingMessage } from 'node:http';
import { operations, type Operation } from '../s3/operations.js';
import { describe, expect, it } from 'vitest';
import { auditEventFor, claimedAccessKeyId, summarizeRequest } from './request-summary.js';

function request(url: string, headers: Record<string, string>, remoteAddress = '::ffff:10.1.2.3'): IncomingMessage {
  return { url, headers, method: 'PUT', socket: { remoteAddress } } as unknown as IncomingMessage;
}

const outcome = { requestId: 'R1', method: 'PUT', bytesIn: 5, bytesOut: 0, ms: 1.23456, complete: true };

const op = (name: string): Operation => operations.find((o) => o.name === name)!;

describe('request summary', () => {
  it('names the access key id a request claims, from any signature form, and never the signature', () => {
    expect(claimedAccessKeyId(request('/b/k', { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc' }))).toBe('AKIDEXAMPLE');
    expect(claimedAccessKeyId(request('/b/k', { authorization: 'AWS AKIDV2:c2lnbmF0dXJl' }))).toBe('AKIDV2');
    expect(claimedAccessKeyId(request('/b/k?X-Amz-Credential=AKIDQ%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ff', {}))).toBe('AKIDQ');
    expect(claimedAccessKeyId(request('/b/k?AWSAccessKeyId=AKIDQ2&Signature=x', {}))).toBe('AKIDQ2');
    expect(claimedAccessKeyId(request('/b/k', { authorization: 'AWS4-HMAC-SHA256 Credential=<script>/x' }))).toBeUndefined();
  });

  it('describes a signed write with its principal and a refused one with the key it claimed', () => {
    const signed = summarizeRequest(
      request('/b/k', { 'user-agent': 'ua/1', authorization: 'AWS4-HMAC-SHA256 Credential=AK/x, Signature=secretish' }),
      { operation: op('PutObject'), bucket: 'b', key: 'k', principal: { userId: 'alice', accessKeyId: 'AK', isRoot: false } },
      { ...outcome, op: 'PutObject', readOnly: op('PutObject').readOnly, status: 200 },
    );
    expect(signed).toMatchObject({ principal: { user: 'alice', accessKeyId: 'AK' }, sourceIp: '10.1.2.3', userAgent: 'ua/1', ms: 1.235 });
    expect(JSON.stringify(signed)).not.toContain('secretish');
    expect(auditEventFor(signed)).toMatchObject({ action: 'PutObject', bucket: 'b', key: 'k', status: 200, result: 'success', details: { method: 'PUT', bytesIn: 5 } });

    const refused = summarizeRequest(
      request('/b/k', { authorization: 'AWS4-HMAC-SHA256 Credential=AK/x, Signature=bad' }),
      { operation: op('GetObject'), bucket: 'b', key: 'k' },
      { ...outcome, op: 'GetObject', readOnly: op('GetObject').readOnly, status: 403, errorCode: 'SignatureDoesNotMatch' },
    );
    expect(auditEventFor(refused)).toMatchObject({ principal: 'anonymous', result: 'failure', errorCode: 'SignatureDoesNotMatch', details: { claimedAccessKeyId: 'AK' } });
    const unsigned = summarizeRequest(
      request('/b/k', {}),
      { operation: op('PutObject'), bucket: 'b', key: 'k', principal: { userId: 'anonymous', accessKeyId: '', isRoot: false, anonymous: true } },
      { ...outcome, op: 'PutObject', readOnly: op('PutObject').readOnly, status: 403, errorCode: 'AccessDenied' },
    );
    expect(auditEventFor(unsigned)).toMatchObject({ principal: 'anonymous', result: 'failure', errorCode: 'AccessDenied' });
    expect(auditEventFor(unsigned)!.details).not.toHaveProperty('claimedAccessKeyId');
    const read = summarizeRequest(request('/b/k', {}), { operation: op('GetObject') }, { ...outcome, op: 'GetObject', readOnly: op('GetObject').readOnly, status: 200 });
    expect(auditEventFor(read)).toBeUndefined();
  });
});
