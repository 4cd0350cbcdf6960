import t from 'tap'
import { distinctErrors } from '../../lib/distinct-errors.js'

t.test('a repeated error is new once; a different one is new again', async (t) => {
  const errors = distinctErrors()
  t.ok(errors.isNew(new Error('connect ECONNREFUSED')), 'the first failure is logged')
  t.notOk(errors.isNew(new Error('connect ECONNREFUSED')), 'the same failure on the next retry is not')
  t.ok(errors.isNew(new Error('getaddrinfo ENOTFOUND')), 'a different failure is')
  t.ok(errors.isNew(new Error('connect ECONNREFUSED')), 'and so is the first one when it comes back after another')
  t.notOk(errors.isNew('connect ECONNREFUSED'), 'a thrown string compares by its text like an Error\'s message')
})

t.test('after a recovery the same error is new again, and only an outstanding error makes a recovery', async (t) => {
  const errors = distinctErrors()
  t.notOk(errors.recovered(), 'nothing had failed: no recovery to report')
  errors.isNew(new Error('connect ECONNREFUSED'))
  t.ok(errors.recovered(), 'a failure then a working connection is a recovery')
  t.notOk(errors.recovered(), 'reported once')
  t.ok(errors.isNew(new Error('connect ECONNREFUSED')), 'the next outage is logged even with the same message')
})

t.test('an error with an empty message is still reported once', async (t) => {
  const errors = distinctErrors()
  t.ok(errors.isNew(new Error('')))
  t.notOk(errors.isNew(new Error('')))
})
