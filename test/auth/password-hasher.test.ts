import { performance } from 'node:perf_hooks'
import { join } from 'node:path'
import t from 'tap'
import ts from 'typescript'
import { createPasswordHasher, defaultThreads } from '../../src/auth/password-hasher'

const fast = createPasswordHasher({ rounds: 4, threads: 2 })
t.teardown(() => fast.close())

t.test('a hashed password verifies, and a wrong one does not', async (t) => {
  const hash = await fast.hash('Tr1cky!pw')
  t.match(hash, /^\$2b\$04\$[./A-Za-z0-9]{53}$/, 'a bcrypt hash at the configured cost')
  t.equal(await fast.verify('Tr1cky!pw', hash), true)
  t.equal(await fast.verify('tr1cky!pw', hash), false)
  t.equal(await fast.verify('', hash), false)
  t.not(await fast.hash('Tr1cky!pw'), hash, 'a fresh salt each time')
})

t.test('non-ASCII passwords survive the trip to the worker', async (t) => {
  for (const p of ['Pässwörd1!', 'пароль-Пароль-1', '😀 emoji passphrase 😀']) {
    t.equal(await fast.verify(p, await fast.hash(p)), true, p)
  }
})

t.test('a password over 72 UTF-8 bytes never reaches bcrypt', async (t) => {
  await t.rejects(fast.hash('a'.repeat(73)), RangeError)
  await t.rejects(fast.hash('€'.repeat(25)), RangeError, '25 characters, 75 bytes')
  const p72 = 'Aa1!' + 'x'.repeat(68)
  const hash = await fast.hash(p72)
  t.equal(await fast.verify(p72, hash), true, '72 bytes is fine')
  // bcrypt would read only the first 72 bytes and say yes
  t.equal(await fast.verify(p72 + 'x', hash), false, 'a longer password with the same first 72 bytes does not match')
  t.equal(await fast.verify(p72 + '€', hash), false)
})

t.test('verifyDummy always resolves false', async (t) => {
  t.equal(await fast.verifyDummy('Tr1cky!pw'), false)
  t.equal(await fast.verifyDummy(''), false)
  t.equal(await fast.verifyDummy('x'.repeat(500)), false, 'over-long input is not an error')
})

t.test('an unknown email and an over-long password cost as much as a wrong password', async (t) => {
  const hasher = createPasswordHasher({ rounds: 10, threads: 1 })
  t.teardown(() => hasher.close())
  const hash = await hasher.hash('Tr1cky!pw')
  await hasher.verifyDummy('warm-up') // the dummy hash is ready and the worker warm
  const median = async (f: () => Promise<boolean>) => {
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const start = performance.now()
      t.equal(await f(), false)
      times.push(performance.now() - start)
    }
    return times.sort((a, b) => a - b)[1]!
  }
  const wrong = await median(() => hasher.verify('wrong-Passw0rd', hash))
  const dummy = await median(() => hasher.verifyDummy('wrong-Passw0rd'))
  const overlong = await median(() => hasher.verify('x'.repeat(100), hash))
  t.comment(`median ms: wrong ${wrong.toFixed(1)}, dummy ${dummy.toFixed(1)}, over-long ${overlong.toFixed(1)}`)
  // loose bounds: a shortcut would be ~100x faster, noise is far less than 3x
  t.ok(dummy > wrong / 3, 'verifyDummy does a full-cost compare')
  t.ok(overlong > wrong / 3, 'an over-long password still does a full-cost compare')
  t.ok(dummy < wrong * 3, 'verifyDummy does not hash as well as compare')
})

t.test('hashing runs off the event loop: timers keep firing during 8 concurrent cost-10 hashes', async (t) => {
  const hasher = createPasswordHasher({ rounds: 10, threads: 2 })
  t.teardown(() => hasher.close())
  await hasher.verifyDummy('warm-up')
  let last = performance.now()
  let maxGap = 0
  let ticks = 0
  const timer = setInterval(() => {
    const now = performance.now()
    maxGap = Math.max(maxGap, now - last)
    last = now
    ticks++
  }, 5)
  const start = performance.now()
  const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`Passw0rd!-${i}`)))
  const elapsed = performance.now() - start
  clearInterval(timer)
  maxGap = Math.max(maxGap, performance.now() - last)
  t.comment(`8 hashes in ${elapsed.toFixed(0)} ms, ${ticks} ticks, longest gap ${maxGap.toFixed(1)} ms`)
  t.equal(hashes.length, 8)
  t.ok(hashes.every((h) => h.startsWith('$2b$10$')))
  t.ok(maxGap < 50, `longest gap between 5 ms ticks was ${maxGap.toFixed(1)} ms`)
})

t.test('a closed hasher refuses work', async (t) => {
  const hasher = createPasswordHasher({ rounds: 4, threads: 1 })
  await hasher.close()
  await hasher.close()
  await t.rejects(hasher.hash('Tr1cky!pw'), /closed/)
  await t.rejects(hasher.verifyDummy('Tr1cky!pw'), /closed/)
})

t.test('bad options are refused at construction', async (t) => {
  t.throws(() => createPasswordHasher({ rounds: 3 }), RangeError)
  t.throws(() => createPasswordHasher({ rounds: 10.5 }), RangeError)
  t.throws(() => createPasswordHasher({ rounds: 4, threads: 0 }), RangeError)
  t.ok(defaultThreads() >= 1)
})

t.test('the build emits the JavaScript worker beside the hasher', async (t) => {
  // a worker file missing from dist/ would only show at the first login in production
  const root = join(__dirname, '..', '..')
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
  t.ok(parsed, 'tsconfig.build.json parses')
  const files = parsed!.fileNames.map((f) => f.replace(/\\/g, '/'))
  t.ok(files.some((f) => f.endsWith('/src/auth/bcrypt-worker.js')), 'the worker is an input of the build')
  t.ok(files.some((f) => f.endsWith('/src/auth/password-hasher.ts')))
  t.equal(parsed!.options.rootDir && join(parsed!.options.rootDir), join(root, 'src'), 'src/auth → dist/auth, side by side')
})
