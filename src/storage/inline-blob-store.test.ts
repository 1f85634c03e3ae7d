// InlineBlobStore over the real SQLite index and disk store (the cases are shared with PostgreSQL's).
import { join } from 'node:path';
import { inlineSubject, runInlineBlobCases } from '../../test/contract/inline-blob-cases.js';
import { SqliteMetadataIndex } from './sqlite/sqlite-metadata-index.js';

runInlineBlobCases('SQLite', () => inlineSubject((dir) => SqliteMetadataIndex.open(join(dir, 'index.sqlite'))));
