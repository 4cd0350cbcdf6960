// PostgreSQL stopped mid-scan with in-process jobs (no Redis); the scenario is in the fixture.
import t from 'tap'
import { postgresOutage, postgresOutageSkip } from '../fixtures/postgres-outage.js'

t.test('PostgreSQL stopped mid-scan (in-process jobs): 503s, streams go on, scan fails with a reason, all recovers', {
  skip: await postgresOutageSkip({ redis: false })
}, async (t) => { await postgresOutage(t, { redis: false }) })
