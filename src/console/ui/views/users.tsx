// Users, their access keys (a new secret is shown once, here, and never again) and identity policies.
import { useEffect, useState } from 'preact/hooks';
import type { NewAccessKeyView, UserSummaryView, UserView } from '../../../admin/wire';
import type { SessionView } from '../../wire';
import * as admin from '../admin';
import { Problem, Section, useAction } from '../common';
import { DeleteButton } from '../forms';
import { useI18n, type I18n } from '../i18n';
import { PolicyEditor, type Template } from './policy-editor';

function templates(t: I18n['t']): Template[] {
  return [
    {
      label: t('tplReadOnly'),
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket', 's3:ListAllMyBuckets'], Resource: '*' }] },
    },
    {
      label: t('tplReadWriteBucket'),
      document: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: 'arn:aws:s3:::BUCKET' },
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: 'arn:aws:s3:::BUCKET/*' },
        ],
      },
    },
    {
      label: t('tplCiWriter'),
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: 'arn:aws:s3:::BUCKET/ci/*' }],
      },
    },
    {
      label: t('tplOwnKeys'),
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['admin:GetUser', 'admin:ListAccessKeys', 'admin:CreateAccessKey', 'admin:UpdateAccessKey', 'admin:RotateAccessKey', 'admin:DeleteAccessKey'],
            Resource: 'arn:aws:iam::sklad:user/${aws:username}',
          },
        ],
      },
    },
  ];
}

function NewSecret({ created, onDone }: { created: NewAccessKeyView; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <div class="card secret" role="alert">
      <h3>{t('newKeyTitle')}</h3>
      <p>{t('newKeyOnce')}</p>
      <dl class="facts">
        <dt>{t('accessKey')}</dt>
        <dd>
          <code data-testid="new-access-key">{created.accessKeyId}</code>
        </dd>
        <dt>{t('secretKey')}</dt>
        <dd>
          <code data-testid="new-secret-key">{created.secretKey}</code>
        </dd>
      </dl>
      <button type="button" onClick={onDone}>
        {t('secretSaved')}
      </button>
    </div>
  );
}

function UserDetails({ name, session, onChanged }: { name: string; session: SessionView; onChanged: () => void }) {
  const { t, date, bytes, number } = useI18n();
  const [user, setUser] = useState<UserView | undefined>(undefined);
  const [created, setCreated] = useState<NewAccessKeyView | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [run, busy, error] = useAction();
  const load = (): void => {
    admin.user(name).then(setUser, setLoadError);
  };
  useEffect(load, [name]);
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    if (await run(fn)) {
      load();
      onChanged();
    }
  };
  if (loadError) return <Problem error={loadError} />;
  if (!user) return null;
  return (
    <Section title={t('userNamed', { name: user.name })} id="user-details">
      <p>
        {t('created')}: {date(user.createdAt)} · {t('status')}: <strong>{user.disabled ? t('disabled') : t('active')}</strong> · {t('objects')}:{' '}
        {number(user.usage.objects)} · {t('size')}: {bytes(user.usage.bytes)}
      </p>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void act(() => admin.setUserDisabled(user.name, !user.disabled))}>
          {user.disabled ? t('enable') : t('disable')}
        </button>
        <DeleteButton
          busy={busy}
          question={t('confirmDeleteUser', { name: user.name })}
          onConfirmed={() => void act(() => admin.deleteUser(user.name)).then(() => (location.hash = '#/users'))}
        >
          {t('deleteUser')}
        </DeleteButton>
      </div>
      <Problem error={error} />
      <h3>{t('accessKeys')}</h3>
      {created && <NewSecret created={created} onDone={() => setCreated(undefined)} />}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('accessKey')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col">{t('created')}</th>
            <th scope="col">{t('actions')}</th>
          </tr>
        </thead>
        <tbody>
          {user.accessKeys.map((k) => (
            <tr key={k.accessKeyId}>
              <td>
                <code>{k.accessKeyId}</code>
                {k.accessKeyId === session.accessKeyId && ` (${t('thisSession')})`}
              </td>
              <td>{k.status === 'Active' ? t('active') : t('disabled')}</td>
              <td>{date(k.createdAt)}</td>
              <td>
                <div class="row">
                <button type="button" disabled={busy} onClick={() => void act(() => admin.setKeyStatus(k.accessKeyId, k.status === 'Active' ? 'Inactive' : 'Active'))}>
                  {k.status === 'Active' ? t('disable') : t('enable')}
                </button>
                <button type="button" disabled={busy} onClick={() => void act(async () => setCreated(await admin.rotateKey(k.accessKeyId)))}>
                  {t('rotate')}
                </button>
                <DeleteButton busy={busy} question={t('confirmDeleteKey', { id: k.accessKeyId })} onConfirmed={() => void act(() => admin.deleteKey(k.accessKeyId))}>
                  {t('delete')}
                </DeleteButton>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="primary" disabled={busy} onClick={() => void act(async () => setCreated(await admin.createKey(user.name)))}>
        {t('createKey')}
      </button>
      <PolicyEditor
        id="user-policy"
        label={t('identityPolicy')}
        value={user.policy === null ? '' : JSON.stringify(user.policy, null, 2)}
        busy={busy}
        allowEmpty
        templates={templates(t)}
        onSave={async (text) => {
          const ok = await run(() => (text.trim() === '' ? admin.deleteUserPolicy(user.name) : admin.putUserPolicy(user.name, text)));
          if (ok) load();
          return ok;
        }}
      />
    </Section>
  );
}

export function UsersView({ session, selected }: { session: SessionView; selected?: string }) {
  const { t, date, plural } = useI18n();
  const [list, setList] = useState<UserSummaryView[] | undefined>(undefined);
  const [name, setName] = useState('');
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [run, busy, error] = useAction();
  const load = (): void => {
    admin.users().then(
      (u) => {
        setList(u);
        setLoadError(undefined);
      },
      setLoadError,
    );
  };
  useEffect(load, []);
  const create = async (e: Event): Promise<void> => {
    e.preventDefault();
    const n = name.trim();
    if (await run(() => admin.createUser(n))) {
      setName('');
      load();
      location.hash = `#/users/${encodeURIComponent(n)}`;
    }
  };
  // A user who may not list users may still manage itself, if its policy allows.
  const shown = selected ?? (loadError && !session.isRoot ? session.user : undefined);
  return (
    <>
      <h1>{t('navUsers')}</h1>
      {!loadError && (
        <Section title={t('createUser')} id="create-user">
          <form class="row" onSubmit={create}>
            <label for="user-name">{t('userName')}</label>
            <input id="user-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
            <button type="submit" class="primary" disabled={busy}>
              {t('create')}
            </button>
          </form>
          <Problem error={error} />
        </Section>
      )}
      <Problem error={loadError} />
      {list && (
        <table>
          <caption>{plural('userCount', list.length)}</caption>
          <thead>
            <tr>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('accessKeys')}</th>
              <th scope="col">{t('created')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((u) => (
              <tr key={u.name} aria-selected={u.name === selected}>
                <td>
                  <a href={`#/users/${encodeURIComponent(u.name)}`}>{u.name}</a>
                </td>
                <td>{u.disabled ? t('disabled') : t('active')}</td>
                <td>{u.accessKeys}</td>
                <td>{date(u.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown && <UserDetails key={shown} name={shown} session={session} onChanged={load} />}
    </>
  );
}
