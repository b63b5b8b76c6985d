import t from 'tap'
import { userIdForEmail, userStream } from '../../../src/domain/identity/user-events'
import { uniqueEmail } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'

/**
 * Signup refuses a guessable password with 400 weak_password: `problem` says
 * which rule, `message` why (the estimator's feedback, never the password),
 * `suggestions` how to choose better; nothing is stored.
 */

t.test('signup refuses guessable passwords and says why, without repeating them', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_SIGNUP_PER_IP: '1000' } })
  const signup = (email: string, password: string, full_name = 'Ada Lovelace') =>
    app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password, full_name } })

  const cases: [string, (email: string) => string, string][] = [
    ['Password1!', () => 'Password1!', 'guessable'],
    ['Welcome1!', () => 'Welcome1!', 'guessable'],
    ['fifteen spaces', () => ' '.repeat(15), 'guessable'],
    ['fifteen a', () => 'a'.repeat(15), 'guessable'],
    ['the email itself', (email) => email, 'personal'],
    ['the name and a year', () => 'Ada Lovelace 1815', 'personal'],
  ]
  for (const [what, passwordFor, problem] of cases) {
    const email = uniqueEmail('ada')
    const password = passwordFor(email)
    const res = await signup(email, password)
    t.equal(res.statusCode, 400, `${what}: 400`)
    const body = res.json()
    t.equal(body.code, 'weak_password')
    t.equal(body.problem, problem, `${what}: refused as ${problem}`)
    t.ok(typeof body.message === 'string' && body.message.length > 20, `${what}: the message says why`)
    t.ok(Array.isArray(body.suggestions), 'with suggestions')
    if (password.trim()) t.notOk(res.body.toLowerCase().includes(password.toLowerCase()), `${what}: never echoed`)
    t.same(await runtime.store.readStream(userStream(userIdForEmail(email))), [], `${what}: nothing stored`)
  }

  const estimated = await signup(uniqueEmail('ada'), 'Password1!')
  t.match(estimated.json().message, /common/i, "the estimator's feedback: it is a common password")

  for (const password of ['correct horse battery', 'purple-monkey-dishwasher-42', 'Zebra-Quartz-93-Marmalade!']) {
    t.equal((await signup(uniqueEmail('ada'), password)).statusCode, 200, `${password} is accepted`)
  }
})
