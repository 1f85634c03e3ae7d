// Prometheus metrics (prom-client): requests by operation and status class, latency, bytes, in-flight
// requests, storage usage per bucket, open uploads, integrity failures and process metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerStats } from '../s3/context.js';
import type { BackgroundScrub } from '../integrity/background-scrub.js';
import type { UploadExpiry } from '../data-folder/upload-expiry.js';
import type { LifecycleWorker } from '../lifecycle/worker.js';
import type { IdentityIndex } from '../storage/identity-index.js';
import type { MetadataIndex, StorageUsage } from '../storage/metadata-index.js';

export interface RequestObservation {
  operation: string;
  status: number;
  seconds: number;
  bytesIn: number;
  bytesOut: number;
}

export interface Metrics {
  registry: Registry;
  requestStarted(): void;
  requestFinished(o: RequestObservation): void;
}

/** Optional sources of further gauges. */
export interface MetricSources {
  scrub?: Pick<BackgroundScrub, 'last' | 'lastFinishedAt' | 'running'>;
  identity?: Pick<IdentityIndex, 'listUsers'>;
  /** Set when several gateways share the storage: every series carries it as the `gateway` label. */
  gatewayId?: string;
  lifecycle?: Pick<LifecycleWorker, 'stats' | 'running'>;
  uploadExpiry?: Pick<UploadExpiry, 'aborted'>;
  /** Whether this server runs the background work (always, alone; one elected gateway of several). */
  isLeader?: () => boolean;
}

export function createMetrics(index: MetadataIndex, stats: ServerStats, sources: MetricSources = {}): Metrics {
  const registry = new Registry();
  if (sources.gatewayId !== undefined) registry.setDefaultLabels({ gateway: sources.gatewayId });
  collectDefaultMetrics({ register: registry, prefix: 'sklad_' });
  const requests = new Counter({
    name: 'sklad_requests_total',
    help: 'S3 requests answered, by operation and status class',
    labelNames: ['operation', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'sklad_request_duration_seconds',
    help: 'Time from request to the end of the response, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const bytesIn = new Counter({ name: 'sklad_received_bytes_total', help: 'Request body bytes received', registers: [registry] });
  const bytesOut = new Counter({ name: 'sklad_sent_bytes_total', help: 'Response body bytes sent', registers: [registry] });
  const inFlight = new Gauge({ name: 'sklad_requests_in_flight', help: 'Requests being served', registers: [registry] });
  // prom-client collects all metrics concurrently: the three usage gauges share one index query per scrape.
  let pending: { at: number; usage: Promise<StorageUsage> } | undefined;
  const usage = (): Promise<StorageUsage> => {
    if (pending === undefined || Date.now() - pending.at > 1000) pending = { at: Date.now(), usage: index.usage() };
    return pending.usage;
  };
  /** A gauge with one label whose values are read fresh at every scrape (absent entries are not exported). */
  const labelled = (name: string, help: string, label: 'bucket' | 'user', read: () => Promise<Iterable<[string, number | undefined]>>): void => {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [value, n] of await read()) if (n !== undefined) this.set({ [label]: value }, n);
      },
    });
  };
  const perBucket = async (pick: (b: StorageUsage['buckets'][number]) => number | undefined) =>
    (await usage()).buckets.map((b): [string, number | undefined] => [b.bucket, pick(b)]);
  const perOwner = async (pick: 'objects' | 'bytes'): Promise<Map<string, number>> => {
    const totals = new Map<string, number>();
    for (const b of (await usage()).buckets) totals.set(b.owner, (totals.get(b.owner) ?? 0) + b[pick]);
    return totals;
  };
  labelled('sklad_bucket_objects', 'Objects stored, by bucket', 'bucket', () => perBucket((b) => b.objects));
  labelled('sklad_bucket_bytes', 'Bytes stored (object sizes), by bucket', 'bucket', () => perBucket((b) => b.bytes));
  labelled('sklad_bucket_quota_bytes', 'Bucket quota on stored bytes, for buckets that have one', 'bucket', () => perBucket((b) => b.quota?.maxBytes));
  labelled('sklad_bucket_quota_objects', 'Bucket quota on the number of objects, for buckets that have one', 'bucket', () => perBucket((b) => b.quota?.maxObjects));
  labelled('sklad_user_objects', 'Objects stored in the buckets each user owns', 'user', () => perOwner('objects'));
  labelled('sklad_user_bytes', 'Bytes stored in the buckets each user owns', 'user', () => perOwner('bytes'));
  const { identity, scrub, lifecycle, uploadExpiry, isLeader } = sources;
  if (isLeader) {
    new Gauge({
      name: 'sklad_leader',
      help: '1 while this server runs the background work (scrub, upload expiry, lifecycle): always alone, on one gateway of several',
      registers: [registry],
      collect() {
        this.set(isLeader() ? 1 : 0);
      },
    });
  }
  if (uploadExpiry) {
    new Counter({
      name: 'sklad_upload_expiry_aborted_total',
      help: 'Multipart uploads aborted for being older than upload-expiry-hours since the server started',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(uploadExpiry.aborted());
      },
    });
  }
  if (lifecycle) {
    new Counter({
      name: 'sklad_lifecycle_actions_total',
      help: 'What lifecycle rules did since the server started: current objects expired, noncurrent versions expired, delete markers removed, incomplete uploads aborted',
      labelNames: ['action'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const s = lifecycle.stats();
        this.inc({ action: 'expire_object' }, s.expiredObjects);
        this.inc({ action: 'expire_noncurrent_version' }, s.expiredNoncurrentVersions);
        this.inc({ action: 'remove_delete_marker' }, s.removedDeleteMarkers);
        this.inc({ action: 'abort_upload' }, s.abortedUploads);
      },
    });
    new Gauge({
      name: 'sklad_lifecycle_running',
      help: '1 while a lifecycle pass runs',
      registers: [registry],
      collect() {
        this.set(lifecycle.running() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sklad_lifecycle_last_pass_finished_timestamp_seconds',
      help: 'When the last lifecycle pass over all buckets finished (absent before the first)',
      registers: [registry],
      collect() {
        this.reset();
        const at = lifecycle.stats().lastPassFinishedAt;
        if (at !== undefined) this.set(at.getTime() / 1000);
      },
    });
  }
  if (identity) {
    const perUser = async (pick: 'maxBytes' | 'maxObjects') =>
      (await identity.listUsers()).map((u): [string, number | undefined] => [u.name, u.quota?.[pick]]);
    labelled('sklad_user_quota_bytes', 'User quota on stored bytes, for users that have one', 'user', () => perUser('maxBytes'));
    labelled('sklad_user_quota_objects', 'User quota on the number of objects, for users that have one', 'user', () => perUser('maxObjects'));
  }
  new Gauge({
    name: 'sklad_multipart_uploads_open',
    help: 'Multipart uploads started and not yet completed or aborted',
    registers: [registry],
    async collect() {
      this.set((await usage()).openUploads);
    },
  });
  if (scrub) {
    new Gauge({
      name: 'sklad_scrub_running',
      help: '1 while a background integrity scrub pass runs',
      registers: [registry],
      collect() {
        this.set(scrub.running() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sklad_scrub_last_finished_timestamp_seconds',
      help: 'When the last background scrub pass finished (absent before the first)',
      registers: [registry],
      collect() {
        this.reset();
        const at = scrub.lastFinishedAt();
        if (at !== undefined) this.set(at.getTime() / 1000);
      },
    });
    new Gauge({
      name: 'sklad_scrub_last_objects',
      help: 'Objects checked by the last background scrub pass',
      registers: [registry],
      collect() {
        this.set(scrub.last()?.objects ?? 0);
      },
    });
    new Gauge({
      name: 'sklad_scrub_last_damaged',
      help: 'Damaged objects found by the last background scrub pass',
      registers: [registry],
      collect() {
        this.set(scrub.last()?.findings.length ?? 0);
      },
    });
  }
  new Gauge({
    name: 'sklad_integrity_failures',
    help: 'Reads whose bytes did not match their recorded digests since the server started',
    registers: [registry],
    collect() {
      this.set(stats.integrityFailures);
    },
  });
  return {
    registry,
    requestStarted: () => inFlight.inc(),
    requestFinished(o) {
      inFlight.dec();
      requests.inc({ operation: o.operation, status: `${Math.floor(o.status / 100)}xx` });
      duration.observe({ operation: o.operation }, o.seconds);
      bytesIn.inc(o.bytesIn);
      bytesOut.inc(o.bytesOut);
    },
  };
}
