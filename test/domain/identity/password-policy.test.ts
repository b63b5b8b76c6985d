import t from 'tap'
import {
  COMMON_PASSWORDS,
  type PasswordProblem,
  checkPassword,
  utf8ByteLength,
} from '../../../src/domain/identity/password-policy'

const problemOf = (password: string): PasswordProblem | 'ok' => {
  const r = checkPassword(password)
  return r.ok ? 'ok' : r.problem
}

t.test('length is measured in UTF-8 bytes, 8 to 72', async (t) => {
  t.equal(problemOf('Ab1!xyz'), 'too_short', '7 ASCII bytes are too short')
  t.equal(problemOf('Ab1!xyzw'), 'ok', '8 ASCII bytes are enough')
  t.equal(problemOf(''), 'too_short', 'the empty password')
  // 6 characters but 9 bytes: a character count would call this too short
  t.equal(utf8ByteLength('Aé1!éé'), 9)
  t.equal(problemOf('Aé1!éé'), 'ok', 'multi-byte characters count by their bytes')
  t.equal(problemOf('Aé1!é'), 'too_short', '5 characters, 7 bytes')

  const p72 = 'Aa1!' + 'x'.repeat(68)
  t.equal(problemOf(p72), 'ok', '72 bytes is the most bcrypt reads')
  t.equal(problemOf(p72 + 'x'), 'too_long', '73 ASCII bytes are refused, not truncated')
  // 25 characters but 75 bytes: a character count would let bcrypt truncate it
  t.equal(problemOf('€'.repeat(25)), 'too_long', 'three-byte characters count three times')
  t.equal(problemOf('😀'.repeat(18)), 'ok', '18 emoji are exactly 72 bytes')
  t.equal(problemOf('😀'.repeat(19)), 'too_long', '19 emoji are 76 bytes')
})

t.test('under 15 characters a password needs upper, lower, digit and symbol', async (t) => {
  t.equal(problemOf('Tr1cky!pw'), 'ok')
  t.equal(problemOf('tr1cky!pw'), 'complexity', 'no upper case')
  t.equal(problemOf('TR1CKY!PW'), 'complexity', 'no lower case')
  t.equal(problemOf('Trxcky!pw'), 'complexity', 'no digit')
  t.equal(problemOf('Tr1ckyXpw'), 'complexity', 'no symbol')
  t.equal(problemOf('Tr1cky pw'), 'ok', 'a space is a symbol')
  t.equal(problemOf('a'.repeat(14)), 'complexity', '14 characters is not yet a passphrase')
})

t.test('character classes are Unicode-aware', async (t) => {
  t.equal(problemOf('Ébcdef1!'), 'ok', 'É is an upper-case letter')
  t.equal(problemOf('ÉBCDEF1!'), 'complexity', 'É is not a lower-case letter')
  t.equal(problemOf('Ébcdef1é'), 'complexity', 'é is a letter, not a symbol')
  t.equal(problemOf('Abcdef٣!'), 'ok', 'an Arabic-Indic digit is a digit')
  t.equal(problemOf('Abcde\u0301f1x'), 'complexity', 'a combining accent is not a symbol')
  const r = checkPassword('tr1cky!pw')
  t.ok(!r.ok && /upper-case/.test(r.message), 'the message says what is missing')
})

t.test('15 or more characters pass on length alone (a passphrase)', async (t) => {
  t.equal(problemOf('correct horse battery'), 'ok')
  t.equal(problemOf('abcdefghijklmno'), 'ok', '15 lower-case letters')
  // 14 code points, 15 UTF-16 units: counting units would wave it through
  t.equal('abcdefghijklm😀'.length, 15)
  t.equal(problemOf('abcdefghijklm😀'), 'complexity', 'characters are code points, not UTF-16 units')
  t.equal(problemOf('abcdefghijklmn😀'), 'ok', '15 code points')
})

t.test('a common password is refused whatever its length or complexity', async (t) => {
  t.ok(COMMON_PASSWORDS.size >= 10_000, `the list holds ${COMMON_PASSWORDS.size} passwords`)
  for (const p of ['123456', 'password', 'qwerty', 'dragon'])
    t.ok(COMMON_PASSWORDS.has(p), `the list starts with the top ranks: ${p}`)
  t.equal(problemOf('P@ssw0rd'), 'common', 'complex enough, but on the list (compared case-insensitively)')
  t.equal(problemOf('p@ssw0rd'), 'common')
  t.equal(problemOf('1qaz2wsx3edc4rfv'), 'common', 'a 16-character keyboard walk on the list')
  t.equal(problemOf('1QAZ2WSX3EDC4RFV'), 'common', 'upper case does not hide it')
  t.equal(problemOf('baseball'), 'common', 'common wins over complexity')
  t.equal(problemOf('123456'), 'too_short', 'too short is reported first')
  const r = checkPassword('P@ssw0rd')
  t.ok(!r.ok && r.message.length > 0)
})

t.test('every entry of the list is lowercased, non-empty and one line', async (t) => {
  const bad = [...COMMON_PASSWORDS].filter((p) => p === '' || p !== p.toLowerCase() || /[\r\n]/.test(p))
  t.same(bad, [])
})
