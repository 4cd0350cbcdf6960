// Child process entry (lib/pglite.ts): creates an embedded database in the directory it is given,
// then exits, taking initdb's memory with it.
import { PGlite } from '@electric-sql/pglite'
import { pgliteOptions } from './pglite.js'

const dir = process.argv[2]
if (dir === undefined) {
  process.stderr.write('usage: pglite-initdb <directory>\n')
  process.exit(2)
}
const db = new PGlite(dir, pgliteOptions())
await db.waitReady
await db.close()
