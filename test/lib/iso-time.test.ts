import t from 'tap'
import { iso } from '../../lib/iso-time.js'

t.test('iso sends a row\'s timestamp as UTC ISO 8601, from a Date or from text', async (t) => {
  const instant = '2024-03-01T12:34:56.789Z'
  t.equal(iso(new Date(instant)), instant)
  t.equal(iso('2024-03-01 13:34:56.789+01'), instant, 'PostgreSQL text with an offset becomes UTC')
  t.equal(iso(instant), instant)
  t.throws(() => iso('not a date'), RangeError, 'an unreadable value is an error, not "Invalid Date" sent to a client')
})
