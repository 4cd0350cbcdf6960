// PostgreSQL stopped mid-scan with BullMQ jobs (Redis configured); the scenario is in the fixture.
import t from 'tap'
import { postgresOutage, postgresOutageSkip } from '../fixtures/postgres-outage.js'

t.test('PostgreSQL stopped mid-scan (BullMQ jobs): 503s, streams go on, scan fails with a reason, all recovers', {
  skip: await postgresOutageSkip({ redis: true })
}, async (t) => { await postgresOutage(t, { redis: true }) })
