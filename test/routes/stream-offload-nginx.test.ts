// The docs/nginx-offload.md setup, end to end with a real nginx in front of the service.
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, realpath, symlink, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { buildOpen } from '../fixtures/open-app.js'
import { seedTrack } from '../fixtures/seed-track.js'
import { eventually, rawRequest } from '../fixtures/http.js'
import { tempDir } from '../helper.js'
import { freePort } from '../fixtures/private-services.js'

const NGINX = '/usr/sbin/nginx'

t.test('nginx serves the bytes the service authorised', { skip: existsSync(NGINX) ? false : 'nginx not installed' }, async (t) => {
  const outside = await tempDir(t)
  await writeFile(join(outside, 'secret.flac'), 'SECRET-BYTES')
  const { app } = await buildOpen(t, { env: { STREAM_OFFLOAD: 'x-accel', API_KEY: 'k' } })
  const media = await realpath(app.config.mediaPath)
  // nginx workers started as root run as an unprivileged user.
  await chmod(media, 0o755)
  const name = 'Sigur Rós/( )/01 #1 ?.flac'
  const bytes = randomBytes(300_000)
  await mkdir(join(media, 'Sigur Rós', '( )'), { recursive: true, mode: 0o755 })
  await writeFile(join(media, name), bytes, { mode: 0o644 })
  await symlink(join(outside, 'secret.flac'), join(media, 'out.flac'))
  const id = await seedTrack(app.pg, { filePath: name })
  const out = await seedTrack(app.pg, { filePath: 'out.flac' })
  const appBase = await app.listen({ port: 0, host: '127.0.0.1' })

  const dir = await tempDir(t)
  const port = await freePort()
  await writeFile(join(dir, 'nginx.conf'), `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port};
    sendfile on;
    max_ranges 1;
    location / { proxy_pass ${appBase}; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location /protected-media/ { internal; alias ${media}/; disable_symlinks on; }
  }
}
`)
  const nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' })
  t.teardown(() => { nginx.kill('SIGTERM') })
  const base = `http://127.0.0.1:${port}`
  t.ok(await eventually(async () => (await fetch(`${base}/health`).then((r) => r.status, () => 0)) === 200), 'nginx is up')

  const whole = await rawRequest(base, `/api/stream/${id}?api_key=k`)
  t.equal(whole.status, 200)
  t.equal(whole.headers['content-type'], 'audio/flac')
  t.ok(whole.body.equals(bytes), 'whole file through nginx')
  const part = await rawRequest(base, `/api/stream/${id}?api_key=k`, { headers: { range: 'bytes=1000-1999' } })
  t.equal(part.status, 206)
  t.equal(part.headers['content-range'], `bytes 1000-1999/${bytes.length}`)
  t.ok(part.body.equals(bytes.subarray(1000, 2000)))
  t.equal((await rawRequest(base, `/api/stream/${id}`)).status, 401, 'the service still checks the key')
  const refused = await rawRequest(base, `/api/stream/${out}?api_key=k`)
  t.equal(refused.status, 404)
  t.notOk(refused.body.includes('SECRET-BYTES'))
  t.equal((await rawRequest(base, '/protected-media/out.flac')).status, 404, 'the internal location is not reachable directly')
})
