import type { KnipConfig } from 'knip'

const config: KnipConfig = {
  // server.ts is found on its own (knip's default entry); the rest are started by name: the
  // worker process, the root plugin tests build, benches run through tsx, and the files loaded
  // by path at run time (worker threads through new URL, the browser fixture read as text).
  entry: [
    'worker.ts',
    'app.ts',
    'bench/*.ts',
    'test/**/*.test.ts',
    'test/fixtures/browser-client.js',
    'lib/scan/parse-worker.ts',
    'lib/pglite-initdb.ts'
  ],
  project: ['*.{ts,js}', '{lib,plugins,routes,schemas,bench}/**/*.ts', 'test/**/*.{ts,js}'],
  // An export used in its own file is part of a declared shape (a decorator's type, a
  // parameter's interface): unexporting it would hide a type a public signature names.
  ignoreExportsUsedInFile: true,
  // The OpenAPI lint test runs spectral from node_modules/.bin by path, which knip cannot follow.
  ignoreDependencies: ['@stoplight/spectral-cli'],
  // System tools the benches and tests spawn; Debian packages, not npm ones (`script` gives the
  // log tests a pseudo-terminal).
  ignoreBinaries: ['ffmpeg', 'wrk', 'redis-server', 'mkfifo', 'script']
}

export default config
