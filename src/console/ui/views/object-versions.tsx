// One key's versions and delete markers in a versioned bucket: download or delete a version, make an older one
// current (a copy onto the key, as S3 does it), and — where the bucket has Object Lock — a version's retention and
// legal hold. Every action is an S3 request as the signed-in principal, so its policies decide.
import { useEffect, useState } from 'preact/hooks';
import { BASE } from '../api';
import { Problem, Section, useAction } from '../common';
import { DeleteButton, Field, useLoaded } from '../forms';
import { useI18n } from '../i18n';
import { getObjectLock, getVersioning, type RetentionMode } from '../s3-bucket-features';
import { deleteVersion, getLegalHold, getRetention, listKeyVersions, putLegalHold, putRetention, restoreVersion, versionPath, type VersionEntry } from '../s3-versions';

/** `datetime-local` works in local time without a zone; S3 wants an instant. */
const toLocalInput = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function VersionLock({ bucket, objectKey, version }: { bucket: string; objectKey: string; version: VersionEntry }) {
  const { t, date } = useI18n();
  const retention = useLoaded(() => getRetention(bucket, objectKey, version.versionId), [version.versionId]);
  const hold = useLoaded(() => getLegalHold(bucket, objectKey, version.versionId), [version.versionId]);
  const [mode, setMode] = useState<RetentionMode>('GOVERNANCE');
  const [until, setUntil] = useState('');
  const [bypass, setBypass] = useState(false);
  // Shown at once when toggled; the stored state shows again if the change is refused.
  const [held, setHeld] = useState<boolean | undefined>(undefined);
  const [run, busy, error] = useAction();
  useEffect(() => setHeld(hold.value), [hold.value]);
  const toggleHold = async (): Promise<void> => {
    const next = !held;
    setHeld(next);
    if (!(await run(() => putLegalHold(bucket, objectKey, version.versionId, next)))) setHeld(hold.value);
  };
  useEffect(() => {
    setMode(retention.value?.mode ?? 'GOVERNANCE');
    setUntil(retention.value ? toLocalInput(retention.value.retainUntil) : '');
  }, [retention.value]);
  const save = (e: Event): void => {
    e.preventDefault();
    void run(async () => {
      await putRetention(bucket, objectKey, version.versionId, { mode, retainUntil: new Date(until).toISOString() }, bypass);
      retention.reload();
    });
  };
  return (
    <div data-testid="version-lock">
      <h3>{t('lockOfVersion', { id: version.versionId })}</h3>
      <Problem error={retention.error ?? hold.error} />
      <p>
        {t('retention')}: <strong>{retention.value ? `${retention.value.mode} · ${t('retainUntil')} ${date(retention.value.retainUntil)}` : t('none')}</strong>
      </p>
      <form class="grid" onSubmit={save}>
        <Field id="ret-mode" label={t('retentionMode')}>
          <select id="ret-mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as RetentionMode)}>
            <option value="GOVERNANCE">GOVERNANCE</option>
            <option value="COMPLIANCE">COMPLIANCE</option>
          </select>
        </Field>
        <Field id="ret-until" label={t('retainUntil')}>
          <input id="ret-until" type="datetime-local" required value={until} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
        </Field>
        {retention.value?.mode === 'GOVERNANCE' && (
          <label class="choice second">
            <input type="checkbox" checked={bypass} onChange={() => setBypass(!bypass)} />
            {t('bypassGovernance')}
          </label>
        )}
        <button type="submit" disabled={busy}>
          {t('saveRetention')}
        </button>
      </form>
      {held !== undefined && (
        <label class="choice">
          <input type="checkbox" checked={held} disabled={busy} onChange={() => void toggleHold()} />
          {t('legalHold')}
        </label>
      )}
      <Problem error={error} />
    </div>
  );
}

export function ObjectVersions({ bucket, objectKey, onChanged }: { bucket: string; objectKey: string; onChanged: () => void }) {
  const { t, bytes, date } = useI18n();
  const versioning = useLoaded(() => getVersioning(bucket), [bucket]);
  const lock = useLoaded(() => getObjectLock(bucket).catch(() => undefined), [bucket]);
  const versioned = versioning.value !== undefined && versioning.value !== 'Unversioned';
  const versions = useLoaded(() => (versioned ? listKeyVersions(bucket, objectKey) : Promise.resolve([])), [bucket, objectKey, versioned]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [run, busy, error] = useAction();
  if (!versioned) return null;
  const act = (fn: () => Promise<void>): void =>
    void run(async () => {
      await fn();
      versions.reload();
      onChanged();
    });
  const chosen = versions.value?.find((v) => v.versionId === selected) ?? versions.value?.find((v) => !v.deleteMarker);
  return (
    <Section title={t('versions')} id="versions">
      <Problem error={versions.error} />
      {versions.value && (
        <table data-testid="versions">
          <caption>{t('versionsOf', { key: objectKey })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('versionId')}</th>
              <th scope="col">{t('modified')}</th>
              <th scope="col">{t('size')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {versions.value.map((v) => (
              <tr key={v.versionId} aria-selected={chosen?.versionId === v.versionId}>
                <td>
                  <code>{v.versionId}</code> {v.isLatest && <strong>{t('current')}</strong>} {v.deleteMarker && <em>{t('deleteMarker')}</em>}
                </td>
                <td>{date(v.lastModified)}</td>
                <td>{v.deleteMarker ? '—' : bytes(v.size)}</td>
                <td>
                  <div class="row">
                    {!v.deleteMarker && (
                      <a class="button" href={`${BASE}${versionPath(bucket, objectKey, v.versionId)}`} download={objectKey.split('/').pop()}>
                        {t('download')}
                      </a>
                    )}
                    {!v.isLatest && !v.deleteMarker && (
                      <button type="button" disabled={busy} onClick={() => act(() => restoreVersion(bucket, objectKey, v.versionId))}>
                        {t('makeCurrent')}
                      </button>
                    )}
                    {lock.value !== undefined && !v.deleteMarker && (
                      <button type="button" disabled={busy} onClick={() => setSelected(v.versionId)}>
                        {t('lockSettings')}
                      </button>
                    )}
                    <DeleteButton
                      busy={busy}
                      label={t('deleteVersionNamed', { id: v.versionId })}
                      question={t('confirmDeleteVersion', { id: v.versionId })}
                      onConfirmed={() => act(() => deleteVersion(bucket, objectKey, v.versionId))}
                    >
                      {t('delete')}
                    </DeleteButton>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Problem error={error} />
      {lock.value !== undefined && chosen && <VersionLock key={chosen.versionId} bucket={bucket} objectKey={objectKey} version={chosen} />}
    </Section>
  );
}
