// Form and list pieces the settings and version screens repeat: a labelled field, a loaded value with its error,
// a table of rules with edit and delete, and a section greyed out with the server's reason.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { Problem, Section } from './common';
import { useI18n } from './i18n';

/** A label and its control, laid out by the surrounding `.grid`. */
export function Field({ id, label, children }: { id: string; label: string; children: ComponentChildren }) {
  return (
    <>
      <label for={id}>{label}</label>
      {children}
    </>
  );
}

/** A text input bound to a string; `number` makes it a whole-number field. */
export function TextInput({ id, value, onChange, placeholder, number, min }: { id: string; value: string; onChange: (v: string) => void; placeholder?: string; number?: boolean; min?: string }) {
  const onInput = (e: Event): void => onChange((e.target as HTMLInputElement).value);
  return number ? (
    <input id={id} type="number" min={min} placeholder={placeholder} value={value} onInput={onInput} />
  ) : (
    <input id={id} type="text" placeholder={placeholder} value={value} onInput={onInput} />
  );
}

/** The save and cancel buttons that end a rule form. */
export function FormActions({ busy, onCancel }: { busy: boolean; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <span class="row span">
      <button type="submit" class="primary" disabled={busy}>
        {t('saveRule')}
      </button>
      <button type="button" onClick={onCancel}>
        {t('cancel')}
      </button>
    </span>
  );
}

/** A destructive button that asks first: `onConfirmed` runs only if the person agrees to `question`. */
export function DeleteButton({ question, onConfirmed, busy, label, children }: { question: string; onConfirmed: () => void; busy: boolean; label?: string; children: ComponentChildren }) {
  return (
    <button type="button" class="danger" disabled={busy} aria-label={label} onClick={() => confirm(question) && onConfirmed()}>
      {children}
    </button>
  );
}

/** A whole number of days (or empty for none) as the lifecycle and lock forms take it. */
export const daysOrUndefined = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/** Loads a value when `deps` change; `reload` loads it again. The error is kept for display. */
export function useLoaded<T>(load: () => Promise<T>, deps: unknown[]): { value: T | undefined; error: unknown; reload: () => void } {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setError(undefined);
    load().then(
      (v) => live && setValue(v),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { value, error, reload: () => setRound((r) => r + 1) };
}

/** The server does not offer this feature here (its metadata engine answers NotImplemented). */
export const notImplemented = (error: unknown): boolean => error instanceof ApiError && error.code === 'NotImplemented';

/** The error that makes a section unavailable: its load failed, or a change was refused as not implemented. */
export const unavailable = (loadError: unknown, actionError: unknown): unknown => loadError ?? (notImplemented(actionError) ? actionError : undefined);

/**
 * A settings section: greyed out with the server's reason when the feature is not available here, its load error
 * when loading failed otherwise, else its content.
 */
export function FeatureSection({ id, title, loadError, children }: { id: string; title: string; loadError: unknown; children: ComponentChildren }) {
  const { t } = useI18n();
  if (notImplemented(loadError)) {
    return (
      <Section title={title} id={id}>
        <div class="greyed" aria-disabled="true">
          <p class="hint">
            {t('featureUnavailable')} {(loadError as ApiError).message}
          </p>
        </div>
      </Section>
    );
  }
  return (
    <Section title={title} id={id}>
      <Problem error={loadError} />
      {loadError === undefined && children}
    </Section>
  );
}

/** Rules as a table: one line of text each, with Edit and Delete; `empty` when there are none. */
export function RuleTable<T>({
  caption,
  rules,
  name,
  describe,
  onEdit,
  onDelete,
  busy,
}: {
  caption: string;
  rules: T[];
  name: (rule: T, index: number) => string;
  describe: (rule: T) => string;
  onEdit: (index: number) => void;
  onDelete: (index: number) => void;
  busy: boolean;
}) {
  const { t } = useI18n();
  if (rules.length === 0) return <p class="hint">{t('noRules')}</p>;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('name')}</th>
          <th scope="col">{t('ruleDoes')}</th>
          <th scope="col">{t('actions')}</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((rule, i) => (
          <tr key={i}>
            <td>{name(rule, i)}</td>
            <td>{describe(rule)}</td>
            <td>
              <div class="row">
                <button type="button" onClick={() => onEdit(i)} disabled={busy} aria-label={t('editNamed', { name: name(rule, i) })}>
                  {t('edit')}
                </button>
                <button type="button" class="danger" onClick={() => onDelete(i)} disabled={busy} aria-label={t('deleteNamed', { name: name(rule, i) })}>
                  {t('delete')}
                </button>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The editing life of a rule list: which rule is open (an index, `-1` for a new one), and saving the whole list
 * with one rule replaced, added or removed.
 */
export function useRuleEditing<T>(rules: T[] | undefined, save: (next: T[]) => Promise<boolean>) {
  const [editing, setEditing] = useState<number | undefined>(undefined);
  const list = rules ?? [];
  return {
    editing,
    open: (index: number) => setEditing(index),
    close: () => setEditing(undefined),
    current: editing === undefined || editing < 0 ? undefined : list[editing],
    async store(rule: T): Promise<void> {
      const next = editing === undefined || editing < 0 ? [...list, rule] : list.map((r, i) => (i === editing ? rule : r));
      if (await save(next)) setEditing(undefined);
    },
    async remove(index: number): Promise<void> {
      await save(list.filter((_, i) => i !== index));
    },
  };
}
