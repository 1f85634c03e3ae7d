// A bucket's versioning (Enable / Suspend; S3 never turns it back off) and Object Lock with its default retention.
import { useEffect, useState } from 'preact/hooks';
import { Problem, useAction } from '../common';
import { FeatureSection, unavailable, Field, TextInput, daysOrUndefined, useLoaded } from '../forms';
import { useI18n } from '../i18n';
import { getObjectLock, getVersioning, putObjectLock, putVersioning, type ObjectLockSettings, type RetentionMode } from '../s3-bucket-features';

export function VersioningSection({ bucket }: { bucket: string }) {
  const { t } = useI18n();
  const status = useLoaded(() => getVersioning(bucket), [bucket]);
  const [run, busy, error] = useAction();
  const set = (next: 'Enabled' | 'Suspended'): Promise<boolean> =>
    run(async () => {
      await putVersioning(bucket, next);
      status.reload();
    });
  const label = { Unversioned: t('versioningOff'), Enabled: t('versioningEnabled'), Suspended: t('versioningSuspended') };
  return (
    <FeatureSection id="versioning" title={t('versioning')} loadError={unavailable(status.error, error)}>
      {status.value && (
        <>
          <p data-testid="versioning-status">
            {t('status')}: <strong>{label[status.value]}</strong>
          </p>
          <div class="row">
            {status.value !== 'Enabled' && (
              <button type="button" class="primary" disabled={busy} onClick={() => void set('Enabled')}>
                {t('enableVersioning')}
              </button>
            )}
            {status.value === 'Enabled' && (
              <button type="button" disabled={busy} onClick={() => void set('Suspended')}>
                {t('suspendVersioning')}
              </button>
            )}
          </div>
          <p class="hint">{t('versioningHint')}</p>
          <Problem error={error} />
        </>
      )}
    </FeatureSection>
  );
}

export function ObjectLockSection({ bucket }: { bucket: string }) {
  const { t } = useI18n();
  const lock = useLoaded(() => getObjectLock(bucket), [bucket]);
  const [mode, setMode] = useState<'' | RetentionMode>('');
  const [amount, setAmount] = useState('');
  const [unit, setUnit] = useState<'Days' | 'Years'>('Days');
  const [run, busy, error] = useAction();
  useEffect(() => {
    setMode(lock.value?.mode ?? '');
    setAmount(lock.value?.amount === undefined ? '' : String(lock.value.amount));
    setUnit(lock.value?.unit ?? 'Days');
  }, [lock.value]);
  const save = (e: Event): void => {
    e.preventDefault();
    const settings: ObjectLockSettings = mode === '' ? {} : { mode, amount: daysOrUndefined(amount), unit };
    void run(async () => {
      await putObjectLock(bucket, settings);
      lock.reload();
    });
  };
  return (
    <FeatureSection id="object-lock" title={t('objectLock')} loadError={unavailable(lock.error, error)}>
      {lock.value === undefined && <p class="hint">{t('objectLockOff')}</p>}
      {lock.value !== undefined && (
        <form class="grid" onSubmit={save}>
          <p class="span">
            <strong>{t('objectLockOn')}</strong>
          </p>
          <Field id="lock-mode" label={t('defaultRetention')}>
            <select id="lock-mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as '' | RetentionMode)}>
              <option value="">{t('none')}</option>
              <option value="GOVERNANCE">GOVERNANCE</option>
              <option value="COMPLIANCE">COMPLIANCE</option>
            </select>
          </Field>
          <Field id="lock-amount" label={t('retentionPeriod')}>
            <span class="row">
              <TextInput id="lock-amount" number min="1" value={amount} onChange={setAmount} />
              <select aria-label={t('retentionUnit')} value={unit} onChange={(e) => setUnit((e.target as HTMLSelectElement).value as 'Days' | 'Years')}>
                <option value="Days">{t('days')}</option>
                <option value="Years">{t('years')}</option>
              </select>
            </span>
          </Field>
          <button type="submit" disabled={busy}>
            {t('save')}
          </button>
        </form>
      )}
      <Problem error={error} />
    </FeatureSection>
  );
}
