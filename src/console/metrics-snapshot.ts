// The server's own counters (the prom-client registry behind /metrics) reduced to the few totals the console
// charts, so watching the server needs no Prometheus.
import { statfs } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import type { MetricsSnapshot } from './wire.js';

interface JsonMetric {
  name: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

/** Size and free space of the file system at `dir`, or undefined when it cannot be read. */
async function diskOf(dir: string | undefined): Promise<MetricsSnapshot['disk']> {
  if (dir === undefined) return undefined;
  try {
    const s = await statfs(dir);
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
  } catch {
    return undefined;
  }
}

export async function metricsSnapshot(registry: Registry, dataDir?: string): Promise<MetricsSnapshot> {
  const metrics = (await registry.getMetricsAsJSON()) as unknown as JsonMetric[];
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const sum = (name: string, keep: (labels: Record<string, string | number>, metricName?: string) => boolean = () => true): number =>
    (byName.get(name)?.values ?? []).filter((v) => keep(v.labels, v.metricName)).reduce((n, v) => n + v.value, 0);
  const single = (name: string): number | undefined => byName.get(name)?.values[0]?.value;
  // A gauge that was reset and not set again (no scrub finished yet) reads as 0, not as absent.
  const lastFinished = single('sklad_scrub_last_finished_timestamp_seconds');
  const running = single('sklad_scrub_running');
  return {
    at: Date.now(),
    requests: sum('sklad_requests_total'),
    errors4xx: sum('sklad_requests_total', (l) => l.status === '4xx'),
    errors5xx: sum('sklad_requests_total', (l) => l.status === '5xx'),
    latencySecondsSum: sum('sklad_request_duration_seconds', (_l, m) => m === 'sklad_request_duration_seconds_sum'),
    latencyCount: sum('sklad_request_duration_seconds', (_l, m) => m === 'sklad_request_duration_seconds_count'),
    bytesIn: sum('sklad_received_bytes_total'),
    bytesOut: sum('sklad_sent_bytes_total'),
    inFlight: single('sklad_requests_in_flight') ?? 0,
    integrityFailures: single('sklad_integrity_failures') ?? 0,
    scrubRunning: running === undefined ? undefined : running === 1,
    scrubLastFinishedAt: lastFinished === undefined || lastFinished === 0 ? undefined : new Date(lastFinished * 1000).toISOString(),
    scrubLastObjects: single('sklad_scrub_last_objects'),
    scrubLastDamaged: single('sklad_scrub_last_damaged'),
    disk: await diskOf(dataDir),
  };
}
