// Small pieces every view uses: error display (a denial is said plainly), the hash router, and a line chart.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { useI18n } from './i18n';

export function Problem({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error === undefined || error === null) return null;
  if (error instanceof ApiError && error.denied) {
    return (
      <p class="problem denied" role="alert">
        {t('deniedPlain')} <code>{error.code}</code>
      </p>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <p class="problem" role="alert">
      {t('failed')}: {message} {code && <code>{code}</code>}
    </p>
  );
}

/** `name=value` lines (blank lines skipped, a line without `=` is a name with an empty value), as tags and facts are typed. */
export function parseLines(text: string): [string, string][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l): [string, string] => {
      const eq = l.indexOf('=');
      return eq === -1 ? [l, ''] : [l.slice(0, eq).trim(), l.slice(eq + 1).trim()];
    });
}

/** Runs an action, keeping its error for display; returns [run, busy, error, clearError]. */
export function useAction(): [(fn: () => Promise<unknown>) => Promise<boolean>, boolean, unknown, () => void] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error, () => setError(undefined)];
}

export function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const headingId = `h-${id ?? title.replace(/\W+/g, '-')}`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** A line chart of the last values, scaled to its own maximum; the latest value is also given as text. */
export function Chart({ label, values, format }: { label: string; values: number[]; format: (n: number) => string }) {
  const w = 240;
  const h = 60;
  const max = Math.max(1e-9, ...values);
  const points = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * w},${h - (v / max) * (h - 4) - 2}`).join(' ');
  const last = values[values.length - 1] ?? 0;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${label}: ${format(last)}`}>
        <polyline points={points} fill="none" stroke="currentColor" stroke-width="2" />
      </svg>
      <figcaption>
        {label}: <strong>{format(last)}</strong>
      </figcaption>
    </figure>
  );
}
