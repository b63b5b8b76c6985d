import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

/** An import of one of these layers (a relative path through a folder of that name). */
const layers = (...names) => ({
  regex: `(^|/)(${names.join('|')})(/|$)`,
  message: `The dependency direction (docs/architecture.md): this layer does not import ${names.join(', ')}.`,
})

/** Node's I/O: the domain computes, it never reaches the outside world. */
const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dns',
  'child_process',
  'worker_threads',
  'dgram',
]
const nodeIo = NODE_IO.flatMap((m) => [m, `node:${m}`]).map((name) => ({
  name,
  message: 'The domain is pure: no I/O.',
}))

/** The guarded appender is handed out by the auth plugin alone (request.guarded). */
const guardedOnlyThroughRequest = {
  group: ['**/commands/handle'],
  importNames: ['guardedAppender'],
  message: 'A route gets a guarded appender from request.guarded, never by building one.',
}

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', '.tap/**', 'coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  // ---- lint zones: the dependency direction of docs/architecture.md ----
  {
    // the pure core: no I/O, no clock, no environment
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeIo, 'pg', 'ioredis', 'bullmq', 'fastify', 'kysely'],
          patterns: [layers('store', 'db', 'api', 'commands', 'projections', 'jobs', 'platform')],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now' },
        { object: 'process', property: 'env' },
      ],
    },
  },
  {
    // commands load, decide and append; they never know about HTTP or jobs
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [layers('api', 'jobs'), { ...guardedOnlyThroughRequest, group: ['**/handle'] }] },
      ],
    },
  },
  {
    files: ['src/commands/handle.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layers('api', 'jobs')] }] },
  },
  {
    // the read side: event → rows and queries; no commands, no HTTP
    files: ['src/projections/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layers('api', 'commands', 'jobs')] }] },
  },
  {
    // the event store is generic: it knows no feature
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [layers('api', 'commands', 'projections', 'jobs', 'domain')] }],
    },
  },
  {
    // routes validate, call and shape: the read models' queries hold the SQL
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['kysely', 'pg'], patterns: [layers('db', 'jobs'), guardedOnlyThroughRequest] },
      ],
    },
  },
  {
    files: ['src/api/plugins/auth.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['kysely', 'pg'], patterns: [layers('db', 'jobs')] }] },
  },
  // ---- per-file allowances ----
  {
    files: ['bench/**/*.ts', 'src/cli.ts', 'src/platform/cli/**/*.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    // plain CommonJS so worker threads need no TypeScript loader
    files: ['src/platform/auth/bcrypt-worker.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', Buffer: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // migrations take Kysely<any>: frozen in time, they must not follow today's types
    files: ['src/db/migrations/**/*.ts', 'src/db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // last: turns off every stylistic rule that Prettier owns
  prettier,
)
