// The operator endpoints served beside S3: GET /health/live, /health/ready and /metrics. They answer only
// unsigned requests, so a signed request for a bucket named "health" or "metrics" still reaches S3.
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { S3Response } from '../s3/respond.js';
import type { MetadataIndex } from '../storage/metadata-index.js';
import { readiness } from './health.js';
import type { Metrics } from './metrics.js';

export interface OperatorEndpoints {
  metrics: Metrics;
  dataDir: string;
  index: MetadataIndex;
  /** Bearer token required for /metrics; undefined with `metricsPublic` false means /metrics is off. */
  metricsToken?: string;
  metricsPublic: boolean;
  /** A round trip to a networked metadata database, for readiness. */
  probeDatabase?: () => Promise<void>;
  /** True once shutdown began: readiness fails so traffic moves elsewhere while requests drain. */
  draining?: () => boolean;
}

function isSigned(incoming: IncomingMessage): boolean {
  if (/^AWS/i.test(incoming.headers.authorization ?? '')) return true;
  const url = incoming.url ?? '';
  return /[?&](X-Amz-Signature|Signature)=/.test(url);
}

function json(status: number, body: unknown): S3Response {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) + '\n' };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The operator endpoint a request asks for, or undefined when it is an S3 request. */
export async function operatorResponse(incoming: IncomingMessage, ops: OperatorEndpoints): Promise<S3Response | undefined> {
  if (incoming.method !== 'GET' || isSigned(incoming)) return undefined;
  const path = (incoming.url ?? '').split('?')[0];
  if (path === '/health/live') return json(200, { status: 'ok' });
  if (path === '/health/ready') {
    if (ops.draining?.()) return json(503, { status: 'draining', checks: { shutdown: 'in progress' } });
    const r = await readiness(ops.dataDir, ops.index, ops.probeDatabase);
    return json(r.ready ? 200 : 503, { status: r.ready ? 'ok' : 'unavailable', checks: r.checks });
  }
  if (path === '/metrics') {
    const allowed = ops.metricsPublic || (ops.metricsToken !== undefined && tokenMatches(incoming.headers.authorization, ops.metricsToken));
    // A Bearer token is never S3 authentication: a wrong one is refused here. Without one, the request is an
    // anonymous S3 request for a bucket named "metrics" and S3 answers it.
    if (!allowed && /^Bearer\s/i.test(incoming.headers.authorization ?? '')) {
      return { status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'a valid metrics token is required' }) + '\n' };
    }
    if (!allowed) return undefined;
    return { status: 200, headers: { 'content-type': ops.metrics.registry.contentType }, body: await ops.metrics.registry.metrics() };
  }
  return undefined;
}
