'use strict'
// Runs on piscina's worker threads. Plain CommonJS on purpose: a worker thread
// does not reliably inherit the test runner's TypeScript loader, and tsc
// (allowJs in tsconfig.build.json only) emits it into dist/ beside the hasher.
const bcrypt = require('bcryptjs')

// bcrypt ignores bytes past the 72nd; the caller checks too, this is the last
// line so that no path ever hashes a truncated password.
const MAX_BYTES = 72

function assertHashable(password) {
  if (typeof password !== 'string') throw new TypeError('password must be a string')
  if (Buffer.byteLength(password, 'utf8') > MAX_BYTES) throw new RangeError(`password longer than ${MAX_BYTES} bytes`)
}

// The sync variants: this thread has nothing else to do, and bcryptjs's async
// ones would only add setImmediate hops.
function hash({ password, rounds }) {
  assertHashable(password)
  return bcrypt.hashSync(password, rounds)
}

function verify({ password, hash }) {
  assertHashable(password)
  return bcrypt.compareSync(password, hash)
}

module.exports = { hash, verify }
