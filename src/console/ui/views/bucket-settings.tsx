// A bucket's settings: access presets and the raw policy, the public access block, default encryption, quota and
// usage, versioning, Object Lock, lifecycle and CORS rules. A feature the server's metadata engine does not offer
// is shown greyed out with the server's reason, so it is plain what exists.
import { useEffect, useState } from 'preact/hooks';
import type { BucketView } from '../../../admin/wire';
import * as admin from '../admin';
import { Problem, Section, useAction } from '../common';
import { useI18n } from '../i18n';
import {
  deleteBucketPolicy,
  getBucketEncryption,
  getBucketPolicy,
  getPublicAccessBlock,
  PAB_FIELDS,
  putBucketEncryption,
  putBucketPolicy,
  putPublicAccessBlock,
  type PublicAccessBlock,
} from '../s3';
import { PolicyEditor } from './policy-editor';
import { ObjectLockSection, VersioningSection } from './bucket-versioning';
import { CorsSection } from './cors-rules';
import { LifecycleSection } from './lifecycle-rules';

export type Preset = 'private' | 'public-read' | 'public-list-read';

export function presetPolicy(bucket: string, preset: Preset): string | undefined {
  if (preset === 'private') return undefined;
  const statements: object[] = [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }];
  if (preset === 'public-list-read') statements.push({ Sid: 'PublicList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
}

function currentPreset(bucket: string, policy: string | undefined): Preset | undefined {
  if (policy === undefined) return 'private';
  const same = (p: Preset): boolean => {
    try {
      return JSON.stringify(JSON.parse(policy)) === JSON.stringify(JSON.parse(presetPolicy(bucket, p)!));
    } catch {
      return false;
    }
  };
  return same('public-read') ? 'public-read' : same('public-list-read') ? 'public-list-read' : undefined;
}

export function BucketSettings({ bucket }: { bucket: string }) {
  const { t, bytes, number } = useI18n();
  const [policy, setPolicy] = useState<string | undefined>(undefined);
  const [policyLoaded, setPolicyLoaded] = useState(false);
  const [pab, setPab] = useState<PublicAccessBlock | undefined>(undefined);
  const [encryption, setEncryption] = useState<string | undefined | null>(null);
  const [info, setInfo] = useState<BucketView | undefined>(undefined);
  const [maxBytes, setMaxBytes] = useState('');
  const [maxObjects, setMaxObjects] = useState('');
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [run, busy, error] = useAction();
  const load = (): void => {
    getBucketPolicy(bucket).then(
      (p) => {
        setPolicy(p);
        setPolicyLoaded(true);
      },
      setLoadError,
    );
    getPublicAccessBlock(bucket).then(setPab, () => setPab(undefined));
    getBucketEncryption(bucket).then(setEncryption, () => setEncryption(null));
    admin.bucket(bucket).then(
      (b) => {
        setInfo(b);
        setMaxBytes(b.quota?.maxBytes === undefined ? '' : String(b.quota.maxBytes));
        setMaxObjects(b.quota?.maxObjects === undefined ? '' : String(b.quota.maxObjects));
      },
      () => setInfo(undefined),
    );
  };
  useEffect(load, [bucket]);
  // The choice shows at once; if saving it fails, the saved policy's preset shows again.
  const [chosen, setChosen] = useState<Preset | undefined>(undefined);
  const preset = chosen ?? currentPreset(bucket, policy);
  const applyPreset = async (p: Preset): Promise<boolean> => {
    setChosen(p);
    const ok = await run(async () => {
      const doc = presetPolicy(bucket, p);
      if (doc === undefined) await deleteBucketPolicy(bucket);
      else await putBucketPolicy(bucket, doc);
      setPolicy(doc);
    });
    setChosen(undefined);
    return ok;
  };
  const savePolicy = (text: string): Promise<boolean> =>
    run(async () => {
      if (text.trim() === '') await deleteBucketPolicy(bucket);
      else await putBucketPolicy(bucket, text);
      setPolicy(text.trim() === '' ? undefined : text);
    });
  const saveQuota = (e: Event): Promise<boolean> => {
    e.preventDefault();
    return run(async () => {
      if (maxBytes === '' && maxObjects === '') await admin.deleteBucketQuota(bucket);
      else await admin.putBucketQuota(bucket, { ...(maxBytes ? { maxBytes: Number(maxBytes) } : {}), ...(maxObjects ? { maxObjects: Number(maxObjects) } : {}) });
      load();
    });
  };

  return (
    <>
      <Problem error={loadError} />
      <Problem error={error} />
      {info && (
        <Section title={t('usage')} id="usage">
          <p>
            {t('owner')}: <strong>{info.owner}</strong> · {t('objects')}: {number(info.usage.objects)} · {t('size')}: {bytes(info.usage.bytes)}
          </p>
          <form class="row" onSubmit={(e) => void saveQuota(e)}>
            <label for="quota-bytes">{t('quotaBytes')}</label>
            <input id="quota-bytes" type="number" min="0" value={maxBytes} onInput={(e) => setMaxBytes((e.target as HTMLInputElement).value)} />
            <label for="quota-objects">{t('quotaObjects')}</label>
            <input id="quota-objects" type="number" min="0" value={maxObjects} onInput={(e) => setMaxObjects((e.target as HTMLInputElement).value)} />
            <button type="submit" disabled={busy}>
              {t('saveQuota')}
            </button>
          </form>
        </Section>
      )}
      <Section title={t('access')} id="access">
        <fieldset disabled={busy || !policyLoaded}>
          <legend>{t('accessPreset')}</legend>
          {(['private', 'public-read', 'public-list-read'] as const).map((p) => (
            <label key={p} class="choice">
              <input type="radio" name="preset" value={p} checked={preset === p} onChange={() => void applyPreset(p)} />
              {t(p === 'private' ? 'presetPrivate' : p === 'public-read' ? 'presetPublicRead' : 'presetPublicListRead')}
            </label>
          ))}
          {preset === undefined && <p class="hint">{t('presetCustom')}</p>}
        </fieldset>
        {policyLoaded && <PolicyEditor id="bucket-policy" label={t('bucketPolicy')} value={policy ?? ''} onSave={savePolicy} busy={busy} allowEmpty />}
      </Section>
      {pab && (
        <Section title={t('publicAccessBlock')} id="pab">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => putPublicAccessBlock(bucket, pab));
            }}
          >
            {PAB_FIELDS.map((f) => (
              <label key={f} class="choice">
                <input type="checkbox" checked={pab[f]} onChange={() => setPab({ ...pab, [f]: !pab[f] })} />
                {f}
              </label>
            ))}
            <button type="submit" disabled={busy}>
              {t('save')}
            </button>
          </form>
        </Section>
      )}
      {encryption !== null && (
        <Section title={t('defaultEncryption')} id="encryption">
          <label class="choice">
            <input
              type="checkbox"
              checked={encryption !== undefined}
              disabled={busy}
              onChange={() => void run(async () => {
                await putBucketEncryption(bucket, encryption === undefined);
                setEncryption(encryption === undefined ? 'AES256' : undefined);
              })}
            />
            {t('encryptNewObjects')}
          </label>
        </Section>
      )}
      <VersioningSection bucket={bucket} />
      <ObjectLockSection bucket={bucket} />
      <LifecycleSection bucket={bucket} />
      <CorsSection bucket={bucket} />
    </>
  );
}
