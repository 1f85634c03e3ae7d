// The sign-in form: an access key and its secret, checked by the server, which answers with a session cookie.
// The secret is sent once and never kept by the page.
import { useState } from 'preact/hooks';
import type { SessionView } from '../../wire';
import { ApiError, signIn } from '../api';
import { useI18n } from '../i18n';

export function LoginView({ onSignedIn }: { onSignedIn: (s: SessionView) => void }) {
  const { t } = useI18n();
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretKey, setSecretKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await signIn(accessKeyId.trim(), secretKey);
      setSecretKey('');
      onSignedIn(session);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      setError(code === 'TooManyAttempts' ? t('loginThrottled') : code === 'InvalidCredentials' ? t('loginWrong') : t('loginFailed'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="centered">
      <form class="card login" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('loginTitle')}</h1>
        <p class="hint">{t('loginHint')}</p>
        <label for="access-key">{t('accessKey')}</label>
        <input id="access-key" name="accessKeyId" autocomplete="username" required value={accessKeyId} onInput={(e) => setAccessKeyId((e.target as HTMLInputElement).value)} />
        <label for="secret-key">{t('secretKey')}</label>
        <input id="secret-key" name="secretKey" type="password" autocomplete="current-password" required value={secretKey} onInput={(e) => setSecretKey((e.target as HTMLInputElement).value)} />
        {error && (
          <p class="problem" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}
