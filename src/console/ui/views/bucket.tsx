// One bucket: its objects (folders by `/`, pages of keys, prefix search, uploads, details, sharing, deletion)
// and its settings.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Problem, Section, useAction } from '../common';
import { useI18n } from '../i18n';
import { abortUpload, deleteObjects, listObjects, listUploads, type Listing, type ObjectEntry, type UploadEntry } from '../s3';
import { droppedFiles, uploadFile } from '../upload';
import { ObjectDetails } from './object-details';
import { BucketSettings } from './bucket-settings';

interface UploadRow {
  id: number;
  key: string;
  loaded: number;
  total: number;
  state: 'waiting' | 'running' | 'done' | 'failed';
  error?: string;
}

let uploadIds = 0;

function folderLink(bucket: string, prefix: string): string {
  return `#/b/${encodeURIComponent(bucket)}/${prefix.split('/').map(encodeURIComponent).join('/')}`;
}

function Breadcrumbs({ bucket, prefix }: { bucket: string; prefix: string }) {
  const { t } = useI18n();
  const parts = prefix.split('/').filter(Boolean);
  return (
    <nav aria-label={t('path')} class="crumbs">
      <a href="#/buckets">{t('navBuckets')}</a> / <a href={folderLink(bucket, '')}>{bucket}</a>
      {parts.map((p, i) => (
        <span key={i}>
          {' / '}
          <a href={folderLink(bucket, parts.slice(0, i + 1).join('/') + '/')}>{p}</a>
        </span>
      ))}
    </nav>
  );
}

export function BucketView({ bucket, prefix }: { bucket: string; prefix: string }) {
  const { t, bytes, date, plural } = useI18n();
  const [tab, setTab] = useState<'objects' | 'settings'>('objects');
  const [search, setSearch] = useState('');
  const [listing, setListing] = useState<Listing | undefined>(undefined);
  const [listError, setListError] = useState<unknown>(undefined);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<ObjectEntry | undefined>(undefined);
  const [uploads, setUploads] = useState<UploadRow[]>([]);
  const [incomplete, setIncomplete] = useState<UploadEntry[] | undefined>(undefined);
  const [dragging, setDragging] = useState(false);
  const [run, busy, error] = useAction();
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const effectivePrefix = prefix + search;

  const load = async (token?: string): Promise<void> => {
    try {
      const page = await listObjects(bucket, effectivePrefix, token);
      setListing((prev) =>
        token && prev ? { prefixes: [...prev.prefixes, ...page.prefixes], objects: [...prev.objects, ...page.objects], nextToken: page.nextToken } : page,
      );
      setListError(undefined);
    } catch (e) {
      setListError(e);
      setListing(undefined);
    }
  };
  const loadIncomplete = (): void => {
    listUploads(bucket).then(setIncomplete, () => setIncomplete(undefined));
  };
  useEffect(() => {
    setSelected(new Set());
    setOpen(undefined);
    void load();
  }, [bucket, effectivePrefix]);
  useEffect(() => {
    setSearch('');
  }, [bucket, prefix]);
  useEffect(loadIncomplete, [bucket]);

  const startUploads = async (files: { path: string; file: File }[]): Promise<void> => {
    const rows: UploadRow[] = files.map((f) => ({ id: ++uploadIds, key: prefix + f.path, loaded: 0, total: f.file.size, state: 'waiting' }));
    setUploads((u) => [...rows, ...u]);
    const update = (id: number, patch: Partial<UploadRow>): void => setUploads((u) => u.map((r) => (r.id === id ? { ...r, ...patch } : r)));
    // Files go one after another; a large file's parts go in parallel.
    for (let i = 0; i < files.length; i++) {
      const row = rows[i]!;
      update(row.id, { state: 'running' });
      try {
        await uploadFile(bucket, row.key, files[i]!.file, (p) => update(row.id, { loaded: p.loaded, total: p.total }));
        update(row.id, { state: 'done', loaded: row.total });
      } catch (e) {
        const code = (e as { code?: string }).code ?? (e as Error).message;
        update(row.id, { state: 'failed', error: code === 'AccessDenied' ? t('deniedPlain') : code });
      }
    }
    await load();
    loadIncomplete();
  };
  const picked = (input: HTMLInputElement | null): void => {
    if (!input?.files) return;
    const files = [...input.files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
    input.value = '';
    void startUploads(files);
  };
  const onDrop = async (e: DragEvent): Promise<void> => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer) void startUploads(await droppedFiles(e.dataTransfer.items));
  };
  const removeSelected = async (): Promise<void> => {
    const keys = [...selected];
    if (!confirm(plural('confirmDeleteObjects', keys.length))) return;
    if (await run(() => deleteObjects(bucket, keys))) {
      setSelected(new Set());
      await load();
    }
  };
  const toggle = (key: string): void =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const objects = listing?.objects.filter((o) => o.key !== prefix) ?? [];
  const allSelected = objects.length > 0 && objects.every((o) => selected.has(o.key));

  return (
    <>
      <h1>{bucket}</h1>
      <Breadcrumbs bucket={bucket} prefix={prefix} />
      <div role="tablist" aria-label={t('bucketSections')} class="tabs">
        <button type="button" role="tab" aria-selected={tab === 'objects'} onClick={() => setTab('objects')}>
          {t('objects')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'settings'} onClick={() => setTab('settings')}>
          {t('settings')}
        </button>
      </div>
      {tab === 'settings' ? (
        <BucketSettings bucket={bucket} />
      ) : (
        <>
          <div
            class={`dropzone${dragging ? ' dragging' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => void onDrop(e)}
          >
            <p>{t('dropHere')}</p>
            <div class="row">
              <label class="button">
                {t('uploadFiles')}
                <input ref={fileInput} type="file" multiple class="visually-hidden" data-testid="upload-files" onChange={() => picked(fileInput.current)} />
              </label>
              <label class="button">
                {t('uploadFolder')}
                <input
                  ref={(el) => {
                    folderInput.current = el;
                    el?.setAttribute('webkitdirectory', '');
                  }}
                  type="file"
                  class="visually-hidden"
                  data-testid="upload-folder"
                  onChange={() => picked(folderInput.current)}
                />
              </label>
            </div>
          </div>
          {uploads.length > 0 && (
            <Section title={t('uploads')} id="uploads">
              <ul class="uploads">
                {uploads.map((u) => (
                  <li key={u.id} data-state={u.state}>
                    <span class="key">{u.key}</span>
                    <progress max={u.total || 1} value={u.loaded} aria-label={t('uploadProgressOf', { name: u.key })} />
                    <span>
                      {u.state === 'done' ? t('uploadDone') : u.state === 'failed' ? `${t('uploadFailed')}: ${u.error}` : `${bytes(u.loaded)} / ${bytes(u.total)}`}
                    </span>
                  </li>
                ))}
              </ul>
            </Section>
          )}
          <div class="row toolbar">
            <label for="prefix-search">{t('searchPrefix')}</label>
            <input id="prefix-search" type="search" value={search} placeholder={prefix} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
            <button type="button" class="danger" disabled={selected.size === 0 || busy} onClick={() => void removeSelected()}>
              {t('deleteSelected')} ({selected.size})
            </button>
          </div>
          <Problem error={error} />
          <Problem error={listError} />
          {listing && (
            <table class="objects">
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label={t('selectAll')}
                      checked={allSelected}
                      onChange={() => setSelected(allSelected ? new Set() : new Set(objects.map((o) => o.key)))}
                    />
                  </th>
                  <th scope="col">{t('name')}</th>
                  <th scope="col">{t('size')}</th>
                  <th scope="col">{t('modified')}</th>
                </tr>
              </thead>
              <tbody>
                {listing.prefixes.map((p) => (
                  <tr key={p}>
                    <td />
                    <td>
                      <a href={folderLink(bucket, p)} class="folder">
                        📁 {p.slice(prefix.length)}
                      </a>
                    </td>
                    <td>—</td>
                    <td />
                  </tr>
                ))}
                {objects.map((o) => (
                  <tr key={o.key} aria-selected={open?.key === o.key}>
                    <td>
                      <input type="checkbox" aria-label={t('selectNamed', { name: o.key })} checked={selected.has(o.key)} onChange={() => toggle(o.key)} />
                    </td>
                    <td>
                      <button type="button" class="link" onClick={() => setOpen(o)}>
                        {o.key.slice(prefix.length)}
                      </button>
                    </td>
                    <td>{bytes(o.size)}</td>
                    <td>{date(o.lastModified)}</td>
                  </tr>
                ))}
                {listing.prefixes.length === 0 && objects.length === 0 && (
                  <tr>
                    <td colSpan={4}>{t('emptyFolder')}</td>
                  </tr>
                )}
              </tbody>
            </table>
          )}
          {listing?.nextToken && (
            <button type="button" onClick={() => void load(listing.nextToken)}>
              {t('loadMore')}
            </button>
          )}
          {open && <ObjectDetails bucket={bucket} object={open} onClose={() => setOpen(undefined)} />}
          {incomplete && incomplete.length > 0 && (
            <Section title={t('incompleteUploads')} id="incomplete">
              <ul>
                {incomplete.map((u) => (
                  <li key={u.uploadId}>
                    {u.key} — {date(u.initiated)}{' '}
                    <button type="button" onClick={() => void run(() => abortUpload(bucket, u.key, u.uploadId)).then(loadIncomplete)}>
                      {t('abort')}
                    </button>
                  </li>
                ))}
              </ul>
            </Section>
          )}
        </>
      )}
    </>
  );
}
