// Not one byte from outside MEDIA_PATH, whatever the URL or the database row says.
import t from 'tap'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { buildOpen } from '../fixtures/open-app.js'
import { seedTrack, setTrackPath } from '../fixtures/seed-track.js'
import { rawRequest } from '../fixtures/http.js'
import { tempDir } from '../helper.js'

const MARKER = 'SONANTICA-SECRET-MARKER-7f3a'

t.test('traversal corpus', async (t) => {
  const logs: Array<Record<string, unknown>> = []
  const outside = await tempDir(t, 'sonantica-outside-')
  const secret = join(outside, 'secret.mp3')
  await writeFile(secret, `${MARKER}\n`.repeat(100))
  await mkdir(join(outside, 'dir'))
  await writeFile(join(outside, 'dir', 'inner.mp3'), MARKER)

  const { app } = await buildOpen(t, { logs })
  const media = app.config.mediaPath
  await mkdir(join(media, 'Album'))
  await writeFile(join(media, 'Album', 'ok.mp3'), 'inside bytes')
  await symlink(secret, join(media, 'Album', 'link-out.mp3'))
  await symlink(join(outside, 'dir'), join(media, 'linked-dir'))
  await symlink(join(media, 'Album', 'ok.mp3'), join(media, 'link-in.mp3'))
  execFileSync('mkfifo', [join(media, 'pipe.mp3')])

  const ok = await seedTrack(app.pg, { filePath: 'Album/ok.mp3' })
  const rows: Record<string, string> = {}
  for (const path of ['Album/link-out.mp3', 'linked-dir/inner.mp3', 'pipe.mp3', 'Album']) {
    rows[path] = await seedTrack(app.pg, { filePath: path })
  }
  // Rows edited by hand (or by a compromised scanner) to point anywhere.
  const edited = [
    '../../../../../../etc/passwd', secret, `../${outside.split('/').pop() ?? ''}/secret.mp3`,
    'Album/../../secret.mp3', 'Album\\..\\..\\secret.mp3', 'C:\\secret.mp3', 'Album/./ok.mp3', '/etc/passwd'
  ]
  for (const path of edited) {
    const id = await seedTrack(app.pg, { filePath: `placeholder-${edited.indexOf(path)}.mp3` })
    await setTrackPath(app.pg, id, path)
    rows[path] = id
  }
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  const leaked = (body: Buffer): boolean => body.includes(MARKER) || body.includes('root:x:0:0')

  await t.test('a symlink inside the root to a file inside the root is served', async (t) => {
    const id = await seedTrack(app.pg, { filePath: 'link-in.mp3' })
    const res = await rawRequest(base, `/api/stream/${id}`)
    t.equal(res.status, 200)
    t.equal(res.body.toString(), 'inside bytes')
  })

  await t.test('indexed rows that resolve outside, or to non-files, are 404 and logged', async (t) => {
    for (const [path, id] of Object.entries(rows)) {
      for (const prefix of ['/api/stream/', '/stream/']) {
        for (const headers of [{}, { range: 'bytes=0-' }, { range: 'bytes=-10' }] as Array<Record<string, string>>) {
          const res = await rawRequest(base, prefix + id, { headers })
          t.equal(res.status, 404, `${path} via ${prefix}`)
          t.notOk(leaked(res.body), `${path}: no secret bytes`)
        }
        const head = await rawRequest(base, prefix + id, { method: 'HEAD' })
        t.equal(head.status, 404)
      }
    }
    const refused = logs.filter((l) => l.msg === 'path guard refused a file').map((l) => l.path)
    for (const path of Object.keys(rows)) t.ok(refused.includes(path), `refusal logged for ${path}`)
    t.notOk(JSON.stringify(logs).includes(MARKER))
  })

  await t.test('hostile URLs never reach a file outside the root', async (t) => {
    const rel = outside.split('/').pop() ?? ''
    const urls = [
      '../../etc/passwd', '..%2f..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%2e%2e/%2e%2e/etc/passwd',
      '..%252f..%252fetc%252fpasswd', '..\\..\\etc\\passwd', '..%5c..%5c..%5cetc%5cpasswd', '%2fetc%2fpasswd', '/etc/passwd',
      encodeURIComponent(secret), secret, `../${rel}/secret.mp3`, `..%2f${rel}%2fsecret.mp3`, 'Album/ok.mp3%00', 'Album%00/ok.mp3',
      '%00', '%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', '%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd', '%e0%80%ae%e0%80%ae/etc/passwd',
      'Album/link-out.mp3', 'linked-dir/inner.mp3', 'linked-dir%2finner.mp3', 'pipe.mp3', 'Album', 'Album/', '.', '..', '%2e%2e',
      'Album/../Album/ok.mp3', 'Album/./ok.mp3', `${ok}/../../etc/passwd`, `${ok}%2f..%2f..%2fetc%2fpasswd`, `${ok}%00`
    ]
    for (const url of urls) {
      for (const prefix of ['/api/stream/', '/stream/']) {
        const res = await rawRequest(base, prefix + url, { headers: { range: 'bytes=0-' } })
        t.ok(res.status === 404 || res.status === 400, `${prefix}${url} -> ${res.status}`)
        t.notOk(leaked(res.body), `${prefix}${url}: no secret bytes`)
        t.notOk(res.body.includes('inside bytes'), `${prefix}${url}: not served by accident`)
      }
    }
  })

  await t.test('with x-accel offload the same rows are refused before any redirect', async (t) => {
    const { app: offload } = await buildOpen(t, { mediaPath: media, env: { STREAM_OFFLOAD: 'x-accel' } })
    const ids: string[] = []
    for (const path of ['Album/link-out.mp3', 'linked-dir/inner.mp3', '../../../../etc/passwd', secret]) {
      const id = await seedTrack(offload.pg, { filePath: `p-${ids.length}.mp3` })
      await setTrackPath(offload.pg, id, path)
      ids.push(id)
    }
    const offloadBase = await offload.listen({ port: 0, host: '127.0.0.1' })
    for (const id of ids) {
      const res = await rawRequest(offloadBase, `/api/stream/${id}`)
      t.equal(res.status, 404)
      t.notOk(res.headers['x-accel-redirect'])
    }
  })
})
