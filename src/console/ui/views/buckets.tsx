// The bucket list: what the signed-in principal may list, with usage where it may see it; create and delete.
import { useEffect, useState } from 'preact/hooks';
import type { BucketView } from '../../../admin/wire';
import * as admin from '../admin';
import { Problem, Section, useAction } from '../common';
import { useI18n } from '../i18n';
import { createBucket, deleteBucket, listBuckets, type BucketEntry } from '../s3';

export function BucketsView() {
  const { t, bytes, number, date, plural } = useI18n();
  const [list, setList] = useState<BucketEntry[] | undefined>(undefined);
  const [usage, setUsage] = useState<Map<string, BucketView>>(new Map());
  const [name, setName] = useState('');
  const [objectLock, setObjectLock] = useState(false);
  const [run, busy, error] = useAction();
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const load = async (): Promise<void> => {
    try {
      setList(await listBuckets());
      setLoadError(undefined);
    } catch (e) {
      setLoadError(e);
    }
    // Usage comes from the admin API, which only some principals may read.
    admin.buckets().then((bs) => setUsage(new Map(bs.map((b) => [b.name, b]))), () => setUsage(new Map()));
  };
  useEffect(() => void load(), []);
  const create = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (await run(() => createBucket(name.trim(), objectLock))) {
      setName('');
      setObjectLock(false);
      await load();
    }
  };
  const remove = async (bucket: string): Promise<void> => {
    if (!confirm(t('confirmDeleteBucket', { name: bucket }))) return;
    if (await run(() => deleteBucket(bucket))) await load();
  };
  return (
    <>
      <h1>{t('navBuckets')}</h1>
      <Section title={t('createBucket')} id="create-bucket">
        <form class="row" onSubmit={create}>
          <label for="bucket-name">{t('bucketName')}</label>
          <input id="bucket-name" required pattern="[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label class="choice">
            <input type="checkbox" checked={objectLock} onChange={() => setObjectLock(!objectLock)} />
            {t('createWithObjectLock')}
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {t('create')}
          </button>
        </form>
        <Problem error={error} />
      </Section>
      <Problem error={loadError} />
      {list && list.length === 0 && <p>{t('noBuckets')}</p>}
      {list && list.length > 0 && (
        <table>
          <caption>{plural('bucketCount', list.length)}</caption>
          <thead>
            <tr>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('created')}</th>
              <th scope="col">{t('objects')}</th>
              <th scope="col">{t('size')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((b) => {
              const u = usage.get(b.name);
              return (
                <tr key={b.name}>
                  <td>
                    <a href={`#/b/${encodeURIComponent(b.name)}/`}>{b.name}</a>
                  </td>
                  <td>{date(b.createdAt)}</td>
                  <td>{u ? number(u.usage.objects) : '—'}</td>
                  <td>{u ? bytes(u.usage.bytes) : '—'}</td>
                  <td>
                    <button type="button" class="danger" onClick={() => void remove(b.name)} aria-label={t('deleteBucketNamed', { name: b.name })}>
                      {t('delete')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
