// Languages of the console. English is the reference: every other language must give every message (the type
// check fails otherwise). Dates, numbers and plurals come from Intl in the chosen language.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en } from './en';
import { ru } from './ru';

export type Lang = 'en' | 'ru';
export const LANGS: readonly Lang[] = ['en', 'ru'];
export const LANG_NAMES: Record<Lang, string> = { en: 'English', ru: 'Русский' };

/** Plural forms by Intl.PluralRules category; `other` is always required. */
export type PluralForms = { other: string } & Partial<Record<'zero' | 'one' | 'two' | 'few' | 'many', string>>;
type Reference = typeof en;
export type MessageKey = { [K in keyof Reference]: Reference[K] extends string ? K : never }[keyof Reference];
export type PluralKey = { [K in keyof Reference]: Reference[K] extends string ? never : K }[keyof Reference];
/** What a translation must provide: a string for every message, plural forms for every plural. */
export type Messages = { [K in keyof Reference]: Reference[K] extends string ? string : PluralForms };

const CATALOGUES: Record<Lang, Messages> = { en, ru };
const STORAGE_KEY = 'sklad.lang';

export function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'ru') return saved;
  return navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export interface I18n {
  lang: Lang;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  plural(key: PluralKey, n: number, vars?: Record<string, string | number>): string;
  number(n: number): string;
  bytes(n: number): string;
  date(iso: string | Date): string;
}

export function makeI18n(lang: Lang): I18n {
  const messages = CATALOGUES[lang];
  const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const rules = new Intl.PluralRules(lang);
  const dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  return {
    lang,
    t: (key, vars = {}) => fill(messages[key] as string, vars),
    plural: (key, n, vars = {}) => {
      const forms = messages[key] as PluralForms;
      const form = forms[rules.select(n) as keyof PluralForms] ?? forms.other;
      return fill(form, { n: numbers.format(n), ...vars });
    },
    number: (n) => numbers.format(n),
    bytes: (n) => {
      let i = 0;
      let v = n;
      while (v >= 1024 && i < UNITS.length - 1) {
        v /= 1024;
        i++;
      }
      return `${numbers.format(v)} ${UNITS[i]}`;
    },
    date: (iso) => {
      const d = typeof iso === 'string' ? new Date(iso) : iso;
      return Number.isNaN(d.getTime()) ? '' : dates.format(d);
    },
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));
export const useI18n = (): I18n => useContext(I18nContext);
