// A scan's walk must not wait for its own progress reports. Under a busy API a report waits for a
// pooled connection; awaited inline, the walk then advanced one file per report. Here a report is
// held for real: a trigger makes the progress UPDATE wait for an advisory lock this test holds.
import t from 'tap'
import pg from 'pg'
import { writeManyFiles, waitFor } from '../../fixtures/many-files.js'
import { buildScanApp, waitForScan } from '../../fixtures/scan.js'
import { skipReason } from '../../helper.js'

const FILES = 60
const BATCH = 10
const HOLD = 7_311_002

t.test('the walk goes on while a progress report is held, and the total counts each file once', {
  skip: await skipReason({ postgres: true })
}, async (t) => {
  const { app, env, pg: db } = await buildScanApp(t, { backend: 'postgres', env: { SCAN_BATCH_SIZE: String(BATCH) } })
  const media = env.MEDIA_PATH as string
  const paths = await writeManyFiles(media, FILES, 20)

  // Only the walk's reports set files_seen above 0 while the scan is still walking.
  await db.query(`CREATE FUNCTION hold_walk_progress() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.phase = 'scanning' AND NEW.files_seen > 0 THEN PERFORM pg_advisory_xact_lock(${HOLD}); END IF;
      RETURN NEW;
    END $$`)
  await db.query('CREATE TRIGGER hold_walk_progress BEFORE UPDATE ON scans FOR EACH ROW EXECUTE FUNCTION hold_walk_progress()')
  const holder = new pg.Client({ connectionString: env.POSTGRES_URL })
  await holder.connect()
  t.after(() => holder.end())
  await holder.query('SELECT pg_advisory_lock($1)', [HOLD])

  const res = await app.inject({ method: 'POST', url: '/api/scan/start' })
  t.equal(res.statusCode, 202)
  const scanId = res.json().id as string

  // The held report also holds the scan's row, so index batches that reach their write wait
  // behind it: a batch waiting there proves the walk got past the report and queued work.
  const waits = async (): Promise<{ advisory: number, row: number }> => {
    const { rows } = await holder.query<{ advisory: number, row: number }>(
      `SELECT count(*) FILTER (WHERE l.locktype = 'advisory')::int AS advisory,
              count(*) FILTER (WHERE l.locktype IN ('transactionid', 'tuple'))::int AS row
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE NOT l.granted AND a.datname = current_database()`)
    return rows[0]
  }
  const blocked = await waitFor(async () => {
    const w = await waits()
    return w.row > 0 ? w : null
  }, 60_000, 50)
  t.ok(blocked, 'index batches were queued and reached their write while the report was held')
  t.equal(blocked?.advisory, 1, 'one progress report at a time')

  await holder.query('SELECT pg_advisory_unlock($1)', [HOLD])
  const done = await waitForScan(app, scanId, 1200)
  t.equal(done.status, 'completed')
  t.equal(done.added, FILES)
  const status = (await app.inject('/api/scan/status')).json()
  t.equal(status.progress.total, FILES, 'batches indexed during the walk are not counted twice in the total')
  t.equal(status.progress.processed, FILES)
  const { rows } = await db.query<{ file_path: string }>('SELECT file_path FROM tracks')
  t.same(rows.map((r) => r.file_path).sort(), [...paths].sort(), 'every file indexed once')
})
