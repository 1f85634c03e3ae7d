// Import boundaries between the layers (docs/architecture.md): imports point down, the pure modules stay pure,
// and only the composition roots name the storage implementations. Checked by `npm run lint` and by a test.
import tseslint from 'typescript-eslint';

const noImports = (...patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group.pattern], message: group.message, allowTypeImports: group.allowTypes ?? false })) }],
});

const implementations = [
  { pattern: '**/storage/sqlite/*', message: 'only composition roots (server.ts, commands/) name the SQLite index' },
  { pattern: '**/storage/disk/*', message: 'only composition roots (server.ts, commands/) name the disk blob store' },
  { pattern: '**/storage/postgres/*', message: 'only composition roots (open-storage.ts, commands/) name the PostgreSQL index' },
];
const framework = [{ pattern: 'hono', message: 'Hono stays at the HTTP edge (app.ts, server.ts)' }, { pattern: '@hono/*', message: 'Hono stays at the HTTP edge (app.ts, server.ts)' }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/**', 'test/**', '**/*.test.ts'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    // Correctness: a promise nobody awaits loses its rejection; a promise where a callback's result is ignored
    // (an event listener, a forEach) runs unobserved.
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['src/auth/**/*.ts'],
    rules: noImports(
      ...framework, ...implementations,
      { pattern: '../s3/*', message: 'auth is pure: no S3 semantics' }, { pattern: '../../s3/*', message: 'auth is pure: no S3 semantics' },
      { pattern: '../http/*', message: 'auth does not know the HTTP edge' }, { pattern: '../../http/*', message: 'auth does not know the HTTP edge' },
      { pattern: '../storage/*', message: 'auth never touches storage' }, { pattern: '../../storage/*', message: 'auth never touches storage' },
      { pattern: '../xml/*', message: 'auth and xml do not import one another' },
    ),
  },
  {
    files: ['src/policy/**/*.ts', 'src/xml/**/*.ts'],
    rules: noImports(
      ...framework, ...implementations,
      { pattern: 'node:fs*', message: 'pure module: no I/O' },
      { pattern: '../storage/*', message: 'pure module: no storage' },
      { pattern: '../s3/*', message: 'imports point down: not into s3/' },
      { pattern: '../http/*', message: 'imports point down: only the operation names (types) from http/', allowTypes: true },
      { pattern: '../auth/*', message: 'pure module: no authentication' },
    ),
  },
  {
    files: ['src/crypto/**/*.ts'],
    rules: noImports(
      ...framework, ...implementations,
      { pattern: '../storage/*', message: 'crypto imports nothing else of sklad' },
      { pattern: '../s3/*', message: 'crypto imports nothing else of sklad' },
      { pattern: '../http/*', message: 'crypto imports nothing else of sklad' },
      { pattern: '../auth/*', message: 'crypto imports nothing else of sklad' },
    ),
  },
  {
    files: ['src/s3/**/*.ts'],
    rules: noImports(
      ...framework, ...implementations,
      { pattern: '../http/*', message: 'imports point down: s3/ takes the operation names (types) from http/, nothing else', allowTypes: true },
      { pattern: '../../http/*', message: 'imports point down: s3/ takes the operation names (types) from http/, nothing else', allowTypes: true },
      { pattern: '../admin/*', message: 's3/ does not know the admin API' }, { pattern: '../../admin/*', message: 's3/ does not know the admin API' },
      { pattern: '../audit/*', message: 's3/ does not know the audit log' }, { pattern: '../../audit/*', message: 's3/ does not know the audit log' },
    ),
  },
  {
    files: ['src/storage/*.ts'],
    rules: noImports(
      ...framework, ...implementations,
      { pattern: '../s3/*', message: 'storage interfaces know no S3 handler' },
      { pattern: '../http/*', message: 'storage never sees HTTP' },
      { pattern: '../auth/*', message: 'storage and auth do not import one another' },
      { pattern: '../xml/*', message: 'storage and xml do not import one another' },
    ),
  },
  {
    files: ['src/storage/sqlite/**/*.ts', 'src/storage/disk/**/*.ts', 'src/storage/postgres/**/*.ts'],
    rules: noImports(
      ...framework,
      { pattern: '../../s3/*', message: 'storage implementations know no S3 handler' },
      { pattern: '../../http/*', message: 'storage never sees HTTP' },
      { pattern: '../../auth/*', message: 'storage and auth do not import one another' },
    ),
  },
  {
    files: ['src/access/**/*.ts'],
    rules: noImports(
      ...framework, ...implementations,
      { pattern: '../s3/*', message: 'imports point down: s3/ asks access/, not the other way' },
      { pattern: '../http/*', message: 'access decisions do not know the HTTP edge' },
      { pattern: '../admin/*', message: 'access decisions do not know the admin API' },
    ),
  },
  {
    files: ['src/lifecycle/**/*.ts'],
    rules: noImports(
      ...framework, ...implementations,
      { pattern: '../s3/*', message: 'lifecycle rules are applied below the S3 front end: s3/ asks lifecycle/, not the other way' },
      { pattern: '../http/*', message: 'the lifecycle worker never sees HTTP' },
      { pattern: '../admin/*', message: 'the admin API asks lifecycle/, not the other way' },
    ),
  },
  {
    files: ['src/errors/**/*.ts'],
    rules: noImports({ pattern: '../*', message: 'the error table imports nothing of sklad' }),
  },
  {
    files: ['src/config/**/*.ts', 'src/data-folder/**/*.ts', 'src/integrity/**/*.ts', 'src/http/**/*.ts', 'src/admin/**/*.ts', 'src/audit/**/*.ts', 'src/identity/**/*.ts', 'src/observability/**/*.ts', 'src/website/**/*.ts', 'src/console/*.ts'],
    rules: noImports(...framework, ...implementations),
  },
);
