// A JSON editor for a policy document (or, with `validate`, another JSON document such as CORS rules): says where
// the JSON is broken before anything is sent; the server's own validation (MalformedPolicy and its message) is
// shown by the caller.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n';

export interface Template {
  label: string;
  document: object;
}

export function PolicyEditor(props: {
  id: string;
  label: string;
  value: string;
  busy: boolean;
  allowEmpty?: boolean;
  templates?: Template[];
  /** What is wrong with a parsed document, if anything; by default the policy shape (an object with Statement). */
  validate?: (doc: unknown) => string | undefined;
  saveLabel?: string;
  onSave: (text: string) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  let problem: string | undefined;
  if (text.trim() !== '') {
    try {
      const doc = JSON.parse(text) as { Statement?: unknown };
      if (props.validate) problem = props.validate(doc);
      else if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) problem = t('policyNotObject');
      else if (doc.Statement === undefined) problem = t('policyNoStatement');
    } catch (e) {
      problem = `${t('policyBadJson')}: ${(e as Error).message}`;
    }
  } else if (!props.allowEmpty) problem = t('policyEmpty');
  return (
    <div class="policy-editor">
      <label for={props.id}>{props.label}</label>
      {props.templates && (
        <div class="row">
          {props.templates.map((tpl) => (
            <button key={tpl.label} type="button" onClick={() => setText(JSON.stringify(tpl.document, null, 2))}>
              {tpl.label}
            </button>
          ))}
        </div>
      )}
      <textarea
        id={props.id}
        rows={12}
        spellcheck={false}
        class="code"
        value={text}
        aria-invalid={problem !== undefined}
        aria-describedby={`${props.id}-status`}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
      />
      <p id={`${props.id}-status`} class={problem ? 'problem' : 'hint'}>
        {problem ?? (text.trim() === '' ? t(props.validate ? 'configWillBeRemoved' : 'policyWillBeRemoved') : t('policyLooksValid'))}
      </p>
      <button type="button" class="primary" disabled={props.busy || problem !== undefined} onClick={() => void props.onSave(text)}>
        {props.saveLabel ?? t('savePolicy')}
      </button>
    </div>
  );
}
