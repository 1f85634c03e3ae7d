// The console's page: sign-in, then a header with navigation and one view chosen by the URL's hash.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionView } from '../wire';
import { currentSession, signOut, whenSignedOut } from './api';
import { useHash } from './common';
import { I18nContext, initialLang, LANG_NAMES, LANGS, makeI18n, rememberLang, type I18n, type Lang } from './i18n';
import { AccessCheckView } from './views/access-check';
import { ActivityView } from './views/activity';
import { BucketView } from './views/bucket';
import { BucketsView } from './views/buckets';
import { LoginView } from './views/login';
import { ServerView } from './views/server';
import { UsersView } from './views/users';
import './styles.css';

function LanguagePicker({ lang, onChange }: { lang: Lang; onChange: (l: Lang) => void }) {
  const { t } = makeI18n(lang);
  return (
    <label class="lang">
      {t('language')}{' '}
      <select value={lang} onChange={(e) => onChange((e.target as HTMLSelectElement).value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

function Route({ hash, session }: { hash: string; session: SessionView }) {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const [view, ...rest] = parts;
  switch (view) {
    case 'b':
      return <BucketView bucket={decodeURIComponent(rest[0] ?? '')} prefix={decodeURIComponent(rest.slice(1).join('/'))} />;
    case 'users':
      return <UsersView session={session} selected={rest[0] === undefined ? undefined : decodeURIComponent(rest[0])} />;
    case 'check':
      return <AccessCheckView session={session} />;
    case 'server':
      return <ServerView />;
    case 'activity':
      return <ActivityView />;
    default:
      return <BucketsView />;
  }
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const hash = useHash();
  const i18n: I18n = useMemo(() => makeI18n(lang), [lang]);
  const { t } = i18n;
  const changeLang = (l: Lang): void => {
    rememberLang(l);
    setLang(l);
  };
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('title');
  }, [lang]);
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    currentSession().then((s) => setSession(s ?? null), () => setSession(null));
  }, []);

  if (session === undefined) {
    return (
      <I18nContext.Provider value={i18n}>
        <main class="centered" aria-busy="true">
          <p>{t('loading')}</p>
        </main>
      </I18nContext.Provider>
    );
  }
  if (session === null) {
    return (
      <I18nContext.Provider value={i18n}>
        <header class="top">
          <span class="brand">sklad</span>
          <LanguagePicker lang={lang} onChange={changeLang} />
        </header>
        <LoginView onSignedIn={setSession} />
      </I18nContext.Provider>
    );
  }
  const current = hash.replace(/^#\/?/, '').split('/')[0] || 'buckets';
  const link = (target: string, label: string, also: string[] = []) => (
    <a href={`#/${target}`} aria-current={current === target || also.includes(current) ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <I18nContext.Provider value={i18n}>
      <header class="top">
        <span class="brand">sklad</span>
        <nav aria-label={t('navigation')}>
          {link('buckets', t('navBuckets'), ['b'])}
          {link('users', t('navUsers'))}
          {link('check', t('navCheck'))}
          {link('server', t('navServer'))}
          {link('activity', t('navActivity'))}
        </nav>
        <span class="who">
          {t('signedInAs')} <strong data-testid="who">{session.user}</strong>
        </span>
        <LanguagePicker lang={lang} onChange={changeLang} />
        <button type="button" onClick={() => void signOut().finally(() => setSession(null))}>
          {t('signOut')}
        </button>
      </header>
      <main>
        <Route hash={hash} session={session} />
      </main>
    </I18nContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
