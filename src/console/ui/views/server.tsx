// The server: what it is and holds, live charts from its own counters (polled, two snapshots make a rate), and
// the integrity scrub's last result.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { InfoView } from '../../../admin/wire';
import type { MetricsSnapshot } from '../../wire';
import * as admin from '../admin';
import { metrics } from '../api';
import { Chart, Problem, Section } from '../common';
import { useI18n } from '../i18n';

const POLL_MS = 2000;
const POINTS = 60;

interface Rates {
  requests: number[];
  errors: number[];
  latencyMs: number[];
  inBps: number[];
  outBps: number[];
}

export function ServerView() {
  const { t, bytes, number, date, plural } = useI18n();
  const [info, setInfo] = useState<InfoView | undefined>(undefined);
  const [last, setLast] = useState<MetricsSnapshot | undefined>(undefined);
  const [rates, setRates] = useState<Rates>({ requests: [], errors: [], latencyMs: [], inBps: [], outBps: [] });
  const [error, setError] = useState<unknown>(undefined);
  const previous = useRef<MetricsSnapshot | undefined>(undefined);
  useEffect(() => {
    admin.info().then(setInfo, setError);
    let stopped = false;
    const poll = async (): Promise<void> => {
      try {
        const now = await metrics();
        const before = previous.current;
        previous.current = now;
        setLast(now);
        if (before) {
          const s = Math.max(0.001, (now.at - before.at) / 1000);
          const count = now.latencyCount - before.latencyCount;
          const push = (xs: number[], v: number): number[] => [...xs, v].slice(-POINTS);
          setRates((r) => ({
            requests: push(r.requests, (now.requests - before.requests) / s),
            errors: push(r.errors, (now.errors4xx + now.errors5xx - before.errors4xx - before.errors5xx) / s),
            latencyMs: push(r.latencyMs, count > 0 ? ((now.latencySecondsSum - before.latencySecondsSum) / count) * 1000 : 0),
            inBps: push(r.inBps, (now.bytesIn - before.bytesIn) / s),
            outBps: push(r.outBps, (now.bytesOut - before.bytesOut) / s),
          }));
        }
      } catch (e) {
        setError(e);
        stopped = true;
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    let timer = setTimeout(() => void poll(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  const uptime = (s: number): string => `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return (
    <>
      <h1>{t('navServer')}</h1>
      <Problem error={error} />
      {info && (
        <Section title={t('status')} id="status">
          <dl class="facts">
            <dt>{t('version')}</dt>
            <dd>{info.version}</dd>
            <dt>{t('uptime')}</dt>
            <dd>{uptime(info.uptimeSeconds)}</dd>
            <dt>{t('region')}</dt>
            <dd>{info.region}</dd>
            <dt>{t('navBuckets')}</dt>
            <dd>{number(info.buckets)}</dd>
            <dt>{t('objects')}</dt>
            <dd>{plural('objectCount', info.objects)}</dd>
            <dt>{t('size')}</dt>
            <dd>{bytes(info.bytes)}</dd>
            <dt>{t('navUsers')}</dt>
            <dd>{number(info.users)}</dd>
          </dl>
        </Section>
      )}
      {last && (
        <>
          <Section title={t('liveCharts')} id="charts">
            <div class="charts">
              <Chart label={t('chartRequests')} values={rates.requests} format={(n) => `${number(n)}/s`} />
              <Chart label={t('chartErrors')} values={rates.errors} format={(n) => `${number(n)}/s`} />
              <Chart label={t('chartLatency')} values={rates.latencyMs} format={(n) => `${number(n)} ms`} />
              <Chart label={t('chartIn')} values={rates.inBps} format={(n) => `${bytes(n)}/s`} />
              <Chart label={t('chartOut')} values={rates.outBps} format={(n) => `${bytes(n)}/s`} />
            </div>
            <p class="hint">
              {t('inFlight')}: {number(last.inFlight)} · {t('totalRequests')}: {number(last.requests)}
            </p>
          </Section>
          {last.disk && (
            <Section title={t('dataDisk')} id="disk">
              <p>
                {t('diskFree', { free: bytes(last.disk.freeBytes), total: bytes(last.disk.totalBytes) })}
              </p>
              <progress
                max={last.disk.totalBytes}
                value={last.disk.totalBytes - last.disk.freeBytes}
                aria-label={t('diskUsed')}
                class="wide"
              />
            </Section>
          )}
          <Section title={t('integrity')} id="integrity">
            <dl class="facts">
              <dt>{t('lastScrub')}</dt>
              <dd>{last.scrubLastFinishedAt ? date(last.scrubLastFinishedAt) : t('never')}</dd>
              <dt>{t('scrubChecked')}</dt>
              <dd>{number(last.scrubLastObjects ?? 0)}</dd>
              <dt>{t('scrubDamaged')}</dt>
              <dd>{number(last.scrubLastDamaged ?? 0)}</dd>
              <dt>{t('integrityFailures')}</dt>
              <dd>{number(last.integrityFailures)}</dd>
            </dl>
          </Section>
        </>
      )}
    </>
  );
}
