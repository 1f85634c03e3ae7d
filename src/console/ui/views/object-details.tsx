// One object: its facts, metadata, tags and checksums; download; a share link; a preview that never renders HTML
// or SVG from a bucket (images only as raster types, text and JSON as text, PDF in the browser's viewer).
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { BASE, presign } from '../api';
import { Problem, Section, parseLines, useAction } from '../common';
import { useI18n } from '../i18n';
import { ObjectVersions } from './object-versions';
import { getObjectBytes, getObjectTags, headObject, putObjectTags, s3Path, type ObjectEntry, type ObjectHead } from '../s3';

const RASTER = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);
const PREVIEW_BYTES = 1024 * 1024;
const EXPIRIES: [number, 'expiry1h' | 'expiry1d' | 'expiry7d'][] = [
  [3600, 'expiry1h'],
  [86_400, 'expiry1d'],
  [604_800, 'expiry7d'],
];

type Preview = { kind: 'image' | 'pdf'; url: string } | { kind: 'text'; text: string } | { kind: 'refused' };

function baseType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

export function ObjectDetails({ bucket, object, onClose }: { bucket: string; object: ObjectEntry; onClose: () => void }) {
  const { t, bytes, date } = useI18n();
  const [head, setHead] = useState<ObjectHead | undefined>(undefined);
  const [tags, setTags] = useState<[string, string][]>([]);
  const [tagText, setTagText] = useState('');
  const [expiry, setExpiry] = useState(3600);
  const [link, setLink] = useState<string | undefined>(undefined);
  const [preview, setPreview] = useState<Preview | undefined>(undefined);
  const [run, busy, error] = useAction();
  const [loadError, setLoadError] = useState<unknown>(undefined);
  // Bumped when a version action may have changed what the key's current version is.
  const [round, setRound] = useState(0);

  useEffect(() => {
    setLink(undefined);
    setPreview(undefined);
    headObject(bucket, object.key).then(setHead, setLoadError);
    getObjectTags(bucket, object.key).then(
      (ts) => {
        setTags(ts);
        setTagText(ts.map(([k, v]) => `${k}=${v}`).join('\n'));
      },
      () => setTags([]),
    );
  }, [bucket, object.key, round]);
  useEffect(() => () => {
    if (preview && 'url' in preview) URL.revokeObjectURL(preview.url);
  }, [preview]);

  const share = (): Promise<boolean> => run(async () => setLink((await presign(bucket, object.key, expiry)).url));
  const showPreview = (): Promise<boolean> =>
    run(async () => {
      const type = baseType(head?.contentType ?? '');
      // HTML, SVG and anything scriptable stay text-free here: never rendered on the console's origin.
      if (type === 'text/html' || type === 'image/svg+xml' || type.includes('xml') || type.includes('javascript')) {
        setPreview({ kind: 'refused' });
        return;
      }
      const blob = await getObjectBytes(bucket, object.key, PREVIEW_BYTES);
      if (RASTER.has(type)) setPreview({ kind: 'image', url: URL.createObjectURL(new Blob([blob], { type })) });
      else if (type === 'application/pdf') setPreview({ kind: 'pdf', url: URL.createObjectURL(new Blob([blob], { type })) });
      else if (type.startsWith('text/') || type === 'application/json' || object.key.endsWith('.json') || object.key.endsWith('.txt')) {
        let text = await blob.text();
        try {
          if (type === 'application/json' || object.key.endsWith('.json')) text = JSON.stringify(JSON.parse(text), null, 2);
        } catch {
          /* shown as it is */
        }
        setPreview({ kind: 'text', text });
      } else setPreview({ kind: 'refused' });
    });
  const saveTags = (): Promise<boolean> =>
    run(async () => {
      const parsed = parseLines(tagText);
      await putObjectTags(bucket, object.key, parsed);
      setTags(parsed);
    });

  return (
    <Section title={object.key} id="object-details">
      <button type="button" class="close" onClick={onClose} aria-label={t('close')}>
        ×
      </button>
      <Problem error={loadError} />
      {head && (
        <dl class="facts">
          <dt>{t('size')}</dt>
          <dd>{bytes(head.size)}</dd>
          <dt>{t('modified')}</dt>
          <dd>{date(head.lastModified)}</dd>
          <dt>{t('contentType')}</dt>
          <dd>{head.contentType}</dd>
          <dt>ETag</dt>
          <dd>
            <code>{head.etag}</code>
          </dd>
          {head.checksums.map(([name, value]) => (
            <Fragment key={`c-${name}`}>
              <dt>{t('checksum')} {name}</dt>
              <dd>
                <code>{value}</code>
              </dd>
            </Fragment>
          ))}
          {head.metadata.map(([name, value]) => (
            <Fragment key={`m-${name}`}>
              <dt>{t('metadata')}: {name}</dt>
              <dd>{value}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      <div class="row">
        <a class="button" href={`${BASE}${s3Path(bucket, object.key)}`} download={object.key.split('/').pop()}>
          {t('download')}
        </a>
        <button type="button" onClick={() => void showPreview()} disabled={busy || !head}>
          {t('preview')}
        </button>
      </div>
      <div class="row">
        <label for="share-expiry">{t('linkValidFor')}</label>
        <select id="share-expiry" value={expiry} onChange={(e) => setExpiry(Number((e.target as HTMLSelectElement).value))}>
          {EXPIRIES.map(([s, key]) => (
            <option key={s} value={s}>
              {t(key)}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void share()} disabled={busy}>
          {t('shareLink')}
        </button>
      </div>
      {link && (
        <p>
          <label for="share-url">{t('shareUrl')}</label>
          <input id="share-url" readOnly value={link} class="wide" onFocus={(e) => (e.target as HTMLInputElement).select()} />
        </p>
      )}
      <label for="tags">{t('tagsHint')}</label>
      <textarea id="tags" rows={3} value={tagText} onInput={(e) => setTagText((e.target as HTMLTextAreaElement).value)} />
      <button type="button" onClick={() => void saveTags()} disabled={busy}>
        {t('saveTags')} ({tags.length})
      </button>
      <Problem error={error} />
      {preview?.kind === 'refused' && <p class="hint">{t('previewRefused')}</p>}
      {preview?.kind === 'text' && <pre class="preview">{preview.text}</pre>}
      {preview?.kind === 'image' && <img class="preview" src={preview.url} alt={t('previewOf', { name: object.key })} />}
      {preview?.kind === 'pdf' && <iframe class="preview" src={preview.url} title={t('previewOf', { name: object.key })} />}
      <ObjectVersions bucket={bucket} objectKey={object.key} onChanged={() => setRound((r) => r + 1)} />
    </Section>
  );
}
