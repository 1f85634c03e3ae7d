// A bucket's CORS rules: a form per rule (origins, methods, headers, max age) or the whole list as JSON in the form
// `aws s3api put-bucket-cors` takes. Every change writes the whole configuration; the server validates it.
import { useState } from 'preact/hooks';
import { PolicyEditor } from './policy-editor';
import { Problem, useAction } from '../common';
import { FeatureSection, FormActions, unavailable, Field, RuleTable, TextInput, useLoaded, useRuleEditing } from '../forms';
import { useI18n } from '../i18n';
import { getCors, putCors, type CorsRule } from '../s3-bucket-features';

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;
const list = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter(Boolean);

function CorsEditor({ rule, onSave, onCancel, busy }: { rule?: CorsRule; onSave: (r: CorsRule) => void; onCancel: () => void; busy: boolean }) {
  const { t } = useI18n();
  const [id, setId] = useState(rule?.ID ?? '');
  const [origins, setOrigins] = useState((rule?.AllowedOrigins ?? []).join(' '));
  const [methods, setMethods] = useState<string[]>(rule?.AllowedMethods ?? ['GET']);
  const [headers, setHeaders] = useState((rule?.AllowedHeaders ?? []).join(' '));
  const [expose, setExpose] = useState((rule?.ExposeHeaders ?? []).join(' '));
  const [maxAge, setMaxAge] = useState(rule?.MaxAgeSeconds === undefined ? '' : String(rule.MaxAgeSeconds));
  const submit = (e: Event): void => {
    e.preventDefault();
    const next: CorsRule = { AllowedOrigins: list(origins), AllowedMethods: methods };
    if (id.trim()) next.ID = id.trim();
    if (list(headers).length) next.AllowedHeaders = list(headers);
    if (list(expose).length) next.ExposeHeaders = list(expose);
    if (maxAge.trim()) next.MaxAgeSeconds = Number(maxAge);
    onSave(next);
  };
  return (
    <form class="grid" onSubmit={submit} aria-label={t('corsRule')}>
      <Field id="cors-id" label={t('ruleId')}>
        <TextInput id="cors-id" value={id} onChange={setId} />
      </Field>
      <Field id="cors-origins" label={t('corsOrigins')}>
        <TextInput id="cors-origins" value={origins} onChange={setOrigins} placeholder="https://app.example.com" />
      </Field>
      <fieldset class="span">
        <legend>{t('corsMethods')}</legend>
        <span class="row">
          {METHODS.map((m) => (
            <label key={m} class="choice">
              <input type="checkbox" checked={methods.includes(m)} onChange={() => setMethods(methods.includes(m) ? methods.filter((x) => x !== m) : [...methods, m])} />
              {m}
            </label>
          ))}
        </span>
      </fieldset>
      <Field id="cors-headers" label={t('corsHeaders')}>
        <TextInput id="cors-headers" value={headers} onChange={setHeaders} placeholder="*" />
      </Field>
      <Field id="cors-expose" label={t('corsExpose')}>
        <TextInput id="cors-expose" value={expose} onChange={setExpose} placeholder="ETag" />
      </Field>
      <Field id="cors-max-age" label={t('corsMaxAge')}>
        <TextInput id="cors-max-age" number min="0" value={maxAge} onChange={setMaxAge} />
      </Field>
      <FormActions busy={busy} onCancel={onCancel} />
    </form>
  );
}

export function CorsSection({ bucket }: { bucket: string }) {
  const { t } = useI18n();
  const rules = useLoaded(() => getCors(bucket), [bucket]);
  const [asJson, setAsJson] = useState(false);
  const [run, busy, error] = useAction();
  const save = (next: CorsRule[]): Promise<boolean> =>
    run(async () => {
      await putCors(bucket, next);
      rules.reload();
    });
  const editing = useRuleEditing(rules.value, save);
  const saveJson = (text: string): Promise<boolean> =>
    run(async () => {
      const parsed = text.trim() === '' ? [] : (JSON.parse(text) as CorsRule[] | { CORSRules: CorsRule[] });
      await putCors(bucket, Array.isArray(parsed) ? parsed : parsed.CORSRules);
      rules.reload();
    });
  return (
    <FeatureSection id="cors" title="CORS" loadError={unavailable(rules.error, error)}>
      <label class="choice">
        <input type="checkbox" checked={asJson} onChange={() => setAsJson(!asJson)} />
        {t('editAsJson')}
      </label>
      {rules.value && asJson && (
        <PolicyEditor
          id="cors-json"
          label={t('corsJson')}
          value={JSON.stringify({ CORSRules: rules.value }, null, 2)}
          onSave={saveJson}
          busy={busy}
          allowEmpty
          saveLabel={t('saveCors')}
          validate={(doc) => (Array.isArray(doc) || Array.isArray((doc as { CORSRules?: unknown } | null)?.CORSRules) ? undefined : t('corsJsonShape'))}
        />
      )}
      {rules.value && !asJson && (
        <>
          <RuleTable
            caption="CORS"
            rules={rules.value}
            name={(r, i) => r.ID ?? `#${i + 1}`}
            describe={(r) => `${r.AllowedMethods.join(', ')} ← ${r.AllowedOrigins.join(', ')}${r.AllowedHeaders ? ` · ${r.AllowedHeaders.join(', ')}` : ''}`}
            onEdit={editing.open}
            onDelete={(i) => void editing.remove(i)}
            busy={busy}
          />
          {editing.editing === undefined ? (
            <button type="button" onClick={() => editing.open(-1)} disabled={busy}>
              {t('addCorsRule')}
            </button>
          ) : (
            <CorsEditor key={editing.editing} rule={editing.current} onSave={(r) => void editing.store(r)} onCancel={editing.close} busy={busy} />
          )}
        </>
      )}
      <Problem error={error} />
    </FeatureSection>
  );
}
