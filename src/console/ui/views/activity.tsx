// What the server is doing: requests as they finish (polled from the server's in-memory feed), and the audit log
// with filters and the result of checking its hash chain.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuditChainView, AuditRecord, RequestView } from '../../wire';
import { callJson } from '../api';
import { Problem, Section, useAction } from '../common';
import { useI18n } from '../i18n';

const POLL_MS = 1500;
const KEEP = 100;

const who = (p: AuditRecord['principal']): string => (typeof p === 'object' ? p.user : p);

function LiveRequests() {
  const { t, bytes } = useI18n();
  const [rows, setRows] = useState<RequestView[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const last = useRef(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const { requests } = await callJson<{ requests: RequestView[] }>(`/requests?after=${last.current}`);
        if (requests.length > 0) {
          last.current = requests[requests.length - 1]!.seq;
          setRows((r) => [...requests.reverse(), ...r].slice(0, KEEP));
        }
      } catch (e) {
        setError(e);
        stopped = true;
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return (
    <Section title={t('liveRequests')} id="live">
      <Problem error={error} />
      <table aria-live="off" data-testid="live-requests">
        <thead>
          <tr>
            <th scope="col">{t('time')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col">{t('operation')}</th>
            <th scope="col">{t('target')}</th>
            <th scope="col">{t('user')}</th>
            <th scope="col">{t('duration')}</th>
            <th scope="col">{t('size')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.seq}>
              <td>{new Date(r.at).toLocaleTimeString()}</td>
              <td>
                {r.status} {r.errorCode}
              </td>
              <td>{r.op ?? r.method}</td>
              <td>{[r.bucket, r.key].filter(Boolean).join('/')}</td>
              <td>{who(r.principal)}</td>
              <td>{r.ms.toFixed(1)} ms</td>
              <td>{bytes(r.bytesIn + r.bytesOut)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function AuditLog() {
  const { t, date } = useI18n();
  const [filter, setFilter] = useState({ action: '', user: '', bucket: '', result: '' });
  const [records, setRecords] = useState<AuditRecord[] | undefined>(undefined);
  const [chain, setChain] = useState<AuditChainView | undefined>(undefined);
  const [run, busy, error] = useAction();
  const search = (e?: Event): void => {
    e?.preventDefault();
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ''));
    void run(async () => setRecords((await callJson<{ records: AuditRecord[] }>(`/audit?${q.toString()}`)).records));
  };
  useEffect(() => search(), []);
  const field = (name: 'action' | 'user' | 'bucket', label: string) => (
    <>
      <label for={`audit-${name}`}>{label}</label>
      <input id={`audit-${name}`} value={filter[name]} onInput={(e) => setFilter({ ...filter, [name]: (e.target as HTMLInputElement).value })} />
    </>
  );
  return (
    <Section title={t('auditLog')} id="audit">
      <form class="row" onSubmit={search}>
        {field('action', t('action'))}
        {field('user', t('user'))}
        {field('bucket', t('bucketName'))}
        <label for="audit-result">{t('result')}</label>
        <select id="audit-result" value={filter.result} onChange={(e) => setFilter({ ...filter, result: (e.target as HTMLSelectElement).value })}>
          <option value="">{t('any')}</option>
          <option value="success">{t('success')}</option>
          <option value="failure">{t('failure')}</option>
        </select>
        <button type="submit" disabled={busy}>
          {t('search')}
        </button>
        <button type="button" disabled={busy} onClick={() => void run(async () => setChain(await callJson<AuditChainView>('/audit/verify')))}>
          {t('verifyChain')}
        </button>
      </form>
      <Problem error={error} />
      {chain && (
        <p class={chain.ok ? 'verdict allow' : 'verdict deny'} role="status" data-testid="chain">
          {chain.ok ? t('chainIntact', { records: chain.records, files: chain.files }) : `${t('chainBroken')}: ${chain.error?.file}:${chain.error?.line} ${chain.error?.message}`}
        </p>
      )}
      <p class="hint">{t('auditDelay')}</p>
      {records && (
        <table data-testid="audit-records">
          <thead>
            <tr>
              <th scope="col">{t('time')}</th>
              <th scope="col">{t('action')}</th>
              <th scope="col">{t('result')}</th>
              <th scope="col">{t('user')}</th>
              <th scope="col">{t('target')}</th>
              <th scope="col">{t('sourceIp')}</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.seq}>
                <td>{date(r.time)}</td>
                <td>{r.action}</td>
                <td>
                  {r.result === 'success' ? t('success') : t('failure')} {r.errorCode}
                </td>
                <td>{who(r.principal)}</td>
                <td>{r.target ?? [r.bucket, r.key].filter(Boolean).join('/')}</td>
                <td>{r.sourceIp}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function ActivityView() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('navActivity')}</h1>
      <LiveRequests />
      <AuditLog />
    </>
  );
}
