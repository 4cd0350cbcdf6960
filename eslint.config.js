import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**'] }),
  {
    rules: {
      // `void promise` marks a deliberate fire-and-forget call.
      'no-void': ['error', { allowAsStatement: true }],
      // Extension names are PostgreSQL's.
      camelcase: ['error', { allow: ['^UNSAFE_', '^pg_'], properties: 'never', ignoreGlobals: true }]
    }
  }
]
