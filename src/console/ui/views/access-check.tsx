// "Can this user do this?": the server's own access decision for a user, an action and a bucket or key, under the
// request facts the operator gives (source address, TLS, prefix, other condition keys), with the statement that
// decided.
import { useEffect, useState } from 'preact/hooks';
import type { AccessCheckView as CheckResult, SessionView } from '../../wire';
import * as admin from '../admin';
import { accessCheck } from '../api';
import { Problem, Section, parseLines, useAction } from '../common';
import { useI18n } from '../i18n';

const COMMON_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:ListBucket',
  's3:ListAllMyBuckets',
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:DeleteBucket',
  's3:AbortMultipartUpload',
  's3:PutObjectTagging',
];

export function AccessCheckView({ session }: { session: SessionView }) {
  const { t } = useI18n();
  const [users, setUsers] = useState<string[]>([]);
  const [user, setUser] = useState(session.isRoot ? '' : session.user);
  const [action, setAction] = useState('s3:GetObject');
  const [bucket, setBucket] = useState('');
  const [key, setKey] = useState('');
  const [sourceIp, setSourceIp] = useState('');
  const [secure, setSecure] = useState('');
  const [prefix, setPrefix] = useState('');
  const [otherFacts, setOtherFacts] = useState('');
  const [result, setResult] = useState<CheckResult | undefined>(undefined);
  const [run, busy, error] = useAction();
  useEffect(() => {
    admin.users().then((us) => {
      setUsers(us.map((u) => u.name));
      setUser((current) => current || us[0]?.name || '');
    }, () => setUsers(session.isRoot ? [] : [session.user]));
  }, []);
  const ask = (e: Event): void => {
    e.preventDefault();
    setResult(undefined);
    const facts: Record<string, string> = Object.fromEntries(parseLines(otherFacts));
    if (sourceIp.trim()) facts['aws:SourceIp'] = sourceIp.trim();
    if (secure) facts['aws:SecureTransport'] = secure;
    if (prefix) facts['s3:prefix'] = prefix;
    void run(async () => setResult(await accessCheck({ user, action: action.trim(), bucket: bucket.trim(), key: key.trim() || undefined, facts })));
  };
  const reasonText: Record<CheckResult['reason'], string> = {
    root: t('reasonRoot'),
    owner: t('reasonOwner'),
    'explicit-deny': t('reasonExplicitDeny'),
    'identity-policy': t('reasonIdentityPolicy'),
    'bucket-policy': t('reasonBucketPolicy'),
    acl: t('reasonAcl'),
    'implicit-deny': t('reasonImplicitDeny'),
  };
  return (
    <>
      <h1>{t('navCheck')}</h1>
      <Section title={t('checkQuestion')} id="check">
        <form class="grid" onSubmit={ask}>
          <label for="check-user">{t('user')}</label>
          <select id="check-user" value={user} onChange={(e) => setUser((e.target as HTMLSelectElement).value)}>
            {(users.length > 0 ? users : [user]).map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
          <label for="check-action">{t('action')}</label>
          <input id="check-action" list="check-actions" required value={action} onInput={(e) => setAction((e.target as HTMLInputElement).value)} />
          <datalist id="check-actions">
            {COMMON_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <label for="check-bucket">{t('bucketName')}</label>
          <input id="check-bucket" value={bucket} onInput={(e) => setBucket((e.target as HTMLInputElement).value)} />
          <label for="check-key">{t('objectKey')}</label>
          <input id="check-key" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
          <fieldset class="span">
            <legend>{t('requestFacts')}</legend>
            <p class="hint">{t('requestFactsHint')}</p>
            <div class="grid">
              <label for="check-ip">aws:SourceIp</label>
              <input id="check-ip" placeholder="10.0.0.1" value={sourceIp} onInput={(e) => setSourceIp((e.target as HTMLInputElement).value)} />
              <label for="check-tls">aws:SecureTransport</label>
              <select id="check-tls" value={secure} onChange={(e) => setSecure((e.target as HTMLSelectElement).value)}>
                <option value="">{t('notGiven')}</option>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
              <label for="check-prefix">s3:prefix</label>
              <input id="check-prefix" value={prefix} onInput={(e) => setPrefix((e.target as HTMLInputElement).value)} />
              <label for="check-facts">{t('otherFacts')}</label>
              <textarea id="check-facts" rows={2} placeholder="s3:ExistingObjectTag/class=public" value={otherFacts} onInput={(e) => setOtherFacts((e.target as HTMLTextAreaElement).value)} />
            </div>
          </fieldset>
          <button type="submit" class="primary" disabled={busy || user === ''}>
            {t('check')}
          </button>
        </form>
        <Problem error={error} />
        {result && (
          <div class={`verdict ${result.allowed ? 'allow' : 'deny'}`} role="status" data-testid="verdict">
            <p>
              <strong>{result.allowed ? t('allowed') : t('denied')}</strong> — {reasonText[result.reason]} <code>{result.resource}</code>
            </p>
            <p class="hint">
              {t('factsUsed')}: {Object.entries(result.facts).map(([k, v]) => `${k}=${v}`).join(', ')}
              {result.objectTagsUsed && ` · ${t('objectTagsUsed')}`}
            </p>
            {result.statement && (
              <>
                <p>
                  {t(result.statement.policy === 'identity' ? 'decidedByIdentity' : 'decidedByBucket', {
                    n: result.statement.index + 1,
                    sid: result.statement.sid ?? '—',
                  })}
                </p>
                <pre class="code">{JSON.stringify(result.statement.document, null, 2)}</pre>
              </>
            )}
          </div>
        )}
      </Section>
    </>
  );
}
