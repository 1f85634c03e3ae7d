// A bucket's lifecycle rules: listed one line each, added, edited and deleted. The whole configuration is written
// back on every change, as S3 stores it; the server's validation message is shown as it is.
import { useState } from 'preact/hooks';
import { Problem, parseLines, useAction } from '../common';
import { FeatureSection, FormActions, unavailable, Field, RuleTable, TextInput, daysOrUndefined, useLoaded, useRuleEditing } from '../forms';
import { useI18n } from '../i18n';
import { getLifecycle, putLifecycle, type LifecycleRuleForm } from '../s3-bucket-features';

const text = (n: number | undefined): string => (n === undefined ? '' : String(n));

function RuleEditor({ rule, onSave, onCancel, busy }: { rule?: LifecycleRuleForm; onSave: (r: LifecycleRuleForm) => void; onCancel: () => void; busy: boolean }) {
  const { t } = useI18n();
  const [id, setId] = useState(rule?.id ?? '');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [prefix, setPrefix] = useState(rule?.prefix ?? '');
  const [tags, setTags] = useState((rule?.tags ?? []).map(([k, v]) => `${k}=${v}`).join('\n'));
  const [expiration, setExpiration] = useState(text(rule?.expirationDays));
  const [noncurrent, setNoncurrent] = useState(text(rule?.noncurrentDays));
  const [abort, setAbort] = useState(text(rule?.abortDays));
  const submit = (e: Event): void => {
    e.preventDefault();
    const expirationDays = daysOrUndefined(expiration);
    onSave({
      ...rule,
      id: id.trim(),
      enabled,
      prefix,
      tags: parseLines(tags),
      expirationDays,
      // A typed expiration in days replaces a stored date or marker cleanup.
      ...(expirationDays !== undefined ? { expirationDate: undefined, expiredObjectDeleteMarker: undefined } : {}),
      noncurrentDays: daysOrUndefined(noncurrent),
      abortDays: daysOrUndefined(abort),
    });
  };
  return (
    <form class="grid" onSubmit={submit} aria-label={t('lifecycleRule')}>
      <Field id="lc-id" label={t('ruleId')}>
        <TextInput id="lc-id" value={id} onChange={setId} />
      </Field>
      <Field id="lc-enabled" label={t('ruleEnabled')}>
        <input id="lc-enabled" type="checkbox" checked={enabled} onChange={() => setEnabled(!enabled)} />
      </Field>
      <Field id="lc-prefix" label={t('rulePrefix')}>
        <TextInput id="lc-prefix" value={prefix} onChange={setPrefix} placeholder="logs/" />
      </Field>
      <Field id="lc-tags" label={t('ruleTags')}>
        <textarea id="lc-tags" rows={2} value={tags} onInput={(e) => setTags((e.target as HTMLTextAreaElement).value)} />
      </Field>
      <Field id="lc-expire" label={t('expireAfterDays')}>
        <TextInput id="lc-expire" number min="1" value={expiration} onChange={setExpiration} />
      </Field>
      <Field id="lc-noncurrent" label={t('noncurrentAfterDays')}>
        <TextInput id="lc-noncurrent" number min="1" value={noncurrent} onChange={setNoncurrent} />
      </Field>
      <Field id="lc-abort" label={t('abortUploadsAfterDays')}>
        <TextInput id="lc-abort" number min="1" value={abort} onChange={setAbort} />
      </Field>
      <FormActions busy={busy} onCancel={onCancel} />
    </form>
  );
}

export function LifecycleSection({ bucket }: { bucket: string }) {
  const { t, plural } = useI18n();
  const rules = useLoaded(() => getLifecycle(bucket), [bucket]);
  const [run, busy, error] = useAction();
  const editing = useRuleEditing(rules.value, (next) =>
    run(async () => {
      await putLifecycle(bucket, next);
      rules.reload();
    }),
  );
  const describe = (r: LifecycleRuleForm): string =>
    [
      r.enabled ? '' : t('ruleDisabled'),
      `${t('rulePrefix')}: ${r.prefix || '*'}`,
      ...r.tags.map(([k, v]) => `${k}=${v}`),
      r.expirationDays !== undefined ? plural('expiresDays', r.expirationDays) : r.expirationDate ? `${t('expiresOn')} ${r.expirationDate.slice(0, 10)}` : '',
      r.noncurrentDays !== undefined ? plural('noncurrentDays', r.noncurrentDays) : '',
      r.abortDays !== undefined ? plural('abortDays', r.abortDays) : '',
    ]
      .filter(Boolean)
      .join(' · ');
  return (
    <FeatureSection id="lifecycle" title={t('lifecycle')} loadError={unavailable(rules.error, error)}>
      {rules.value && (
        <RuleTable
          caption={t('lifecycle')}
          rules={rules.value}
          name={(r, i) => r.id || `#${i + 1}`}
          describe={describe}
          onEdit={editing.open}
          onDelete={(i) => void editing.remove(i)}
          busy={busy}
        />
      )}
      {editing.editing === undefined ? (
        <button type="button" onClick={() => editing.open(-1)} disabled={busy || rules.value === undefined}>
          {t('addRule')}
        </button>
      ) : (
        <RuleEditor key={editing.editing} rule={editing.current} onSave={(r) => void editing.store(r)} onCancel={editing.close} busy={busy} />
      )}
      <Problem error={error} />
    </FeatureSection>
  );
}
