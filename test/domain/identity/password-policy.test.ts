import t from 'tap'
import {
  COMMON_PASSWORDS,
  type PasswordProblem,
  type PasswordContext,
  checkPassword,
  utf8ByteLength,
} from '../../../src/domain/identity/password-policy'

const problemOf = (password: string, context?: PasswordContext): PasswordProblem | 'ok' => {
  const r = checkPassword(password, context)
  return r.ok ? 'ok' : r.problem
}
/** Passes the length rule: refused, if at all, for something else. */
const longEnough = (password: string) => !['too_short', 'too_long'].includes(problemOf(password))
// as strong as the estimator asks, mixing every class: 72 ASCII bytes
const STRONG_72 = 'Aa1!' + 'Vk3qzPw9Lm'.repeat(7).slice(0, 68)
// 18 different emoji (4 bytes each): a repeated one would be guessable
const EMOJI_18 = '😀🐙🎲🦊🌵🍩🚲🧭🎻🪁🧊🦉🌶🪐🎈🧃🦔🪴'

t.test('length is measured in UTF-8 bytes, 8 to 72', async (t) => {
  t.equal(problemOf('Ab1!xyz'), 'too_short', '7 ASCII bytes are too short')
  // no 8 characters reach the strength the estimator asks (about 10^8 guesses): only the length rule is tested here
  t.ok(longEnough('Ab1!xyzw'), '8 ASCII bytes are enough')
  t.equal(problemOf(''), 'too_short', 'the empty password')
  // 6 characters but 9 bytes: a character count would call this too short
  t.equal(utf8ByteLength('Aé1!éé'), 9)
  t.ok(longEnough('Aé1!éé'), 'multi-byte characters count by their bytes')
  t.equal(problemOf('Aé1!é'), 'too_short', '5 characters, 7 bytes')

  t.equal(utf8ByteLength(STRONG_72), 72)
  t.equal(problemOf(STRONG_72), 'ok', '72 bytes is the most bcrypt reads')
  t.equal(problemOf(STRONG_72 + 'x'), 'too_long', '73 ASCII bytes are refused, not truncated')
  // 25 characters but 75 bytes: a character count would let bcrypt truncate it
  t.equal(problemOf('€'.repeat(25)), 'too_long', 'three-byte characters count three times')
  t.equal(problemOf(EMOJI_18), 'ok', '18 emoji are exactly 72 bytes')
  t.equal(problemOf(EMOJI_18 + '😀'), 'too_long', '19 emoji are 76 bytes')
})

t.test('under 15 characters a password needs upper, lower, digit and symbol', async (t) => {
  t.equal(problemOf('Vk3!qzPw9'), 'ok')
  t.equal(problemOf('vk3!qzpw9'), 'complexity', 'no upper case')
  t.equal(problemOf('VK3!QZPW9'), 'complexity', 'no lower case')
  t.equal(problemOf('Vkx!qzPwq'), 'complexity', 'no digit')
  t.equal(problemOf('Vk3xqzPw9'), 'complexity', 'no symbol')
  t.equal(problemOf('Vk3 qzPw9'), 'ok', 'a space is a symbol')
  t.equal(problemOf('a'.repeat(14)), 'complexity', '14 characters is not yet a passphrase')
})

t.test('character classes are Unicode-aware', async (t) => {
  t.equal(problemOf('Éxq7!mzTk'), 'ok', 'É is an upper-case letter')
  t.equal(problemOf('ÉBCDEF1!'), 'complexity', 'É is not a lower-case letter')
  t.equal(problemOf('Ébcdef1é'), 'complexity', 'é is a letter, not a symbol')
  t.equal(problemOf('Axq٣!mzTk'), 'ok', 'an Arabic-Indic digit is a digit')
  t.equal(problemOf('Abcde\u0301f1x'), 'complexity', 'a combining accent is not a symbol')
  const r = checkPassword('tr1cky!pw')
  t.ok(!r.ok && /upper-case/.test(r.message), 'the message says what is missing')
})

t.test('15 or more characters need no character classes (a passphrase)', async (t) => {
  t.equal(problemOf('correct horse battery'), 'ok')
  t.equal(problemOf('quokkabrimstone'), 'ok', '15 lower-case letters')
  // 14 code points, 15 UTF-16 units: counting units would wave it through
  t.equal('abcdefghijklm😀'.length, 15)
  t.equal(problemOf('abcdefghijklm😀'), 'complexity', 'characters are code points, not UTF-16 units')
  t.equal(problemOf('quokkabrimston😀'), 'ok', '15 code points')
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

t.test('a guessable password is refused though it meets every other rule, saying why', async (t) => {
  const ada = { email: 'ada.lovelace@club.example.org', fullName: 'Ada Lovelace' }
  const refused: [string, string][] = [
    ['Password1!', 'a common password with the usual digit and symbol'],
    ['Welcome1!', 'another'],
    [' '.repeat(15), 'fifteen spaces'],
    ['a'.repeat(15), 'one letter fifteen times'],
    ['abcdefghijklmno', 'a sequence'],
    ['Qwertyuiop123!', 'a keyboard walk'],
    ['Lovelace1815!', 'her surname and a year'],
  ]
  for (const [password, what] of refused) {
    const r = checkPassword(password, ada)
    t.equal(r.ok ? 'ok' : r.problem, 'guessable', `${what} is refused`)
    if (r.ok) continue
    t.match(r.message, /^Password is too easy to guess\. \S/, 'the message says why')
    t.notOk(r.message.toLowerCase().includes(password.trim().toLowerCase() || ' '.repeat(15)), 'and never repeats it')
    t.ok(Array.isArray(r.suggestions), 'with suggestions')
  }
  t.equal(problemOf('Lovelace1815!'), 'ok', 'the same from someone else: her details are what make it guessable')
})

t.test('a password holding the email or the name is refused, whatever its length', async (t) => {
  const email = 'firstname.lastname.longer@university-of-example.edu'
  t.equal(problemOf(email, { email }), 'personal', 'the email itself')
  t.equal(problemOf(email.toUpperCase() + '!9', { email }), 'personal', 'in capitals, with more around it')
  const ada = { email: 'ada.lovelace@club.example.org', fullName: 'Ada Lovelace' }
  t.equal(problemOf('ada.lovelace@club.example.org', ada), 'personal')
  t.equal(problemOf('Ada Lovelace 1815', ada), 'personal', 'her name and a year')
  t.equal(problemOf('1815-ada.LOVELACE-quartz', ada), 'personal', 'the local part of her email, spelt otherwise')
  t.equal(problemOf('Ada Lovelace 1815'), 'ok', 'from someone else')
  t.equal(problemOf('Symbolic-Rainbow-77', { fullName: 'Bo Li' }), 'ok', 'a short name inside a word is no reason')
})

t.test('good passphrases and random passwords pass', async (t) => {
  const ada = { email: 'ada.lovelace@club.example.org', fullName: 'Ada Lovelace' }
  for (const password of [
    'correct horse battery',
    'tangerine orbit lantern',
    'my cat eats blue pancakes',
    'purple-monkey-dishwasher-42',
    'Kx9#mQ2$vL',
    'Zebra-Quartz-93-Marmalade!',
  ])
    t.equal(problemOf(password, ada), 'ok', password)
})

t.test("the club policy: the original portal's composition rule, still never a well-known password", async (t) => {
  const club = (password: string, fullName = 'Test User') => {
    const r = checkPassword(password, { email: 'testuser1@dsclub.com', fullName, policy: 'club' })
    return r.ok ? 'ok' : r.problem
  }
  t.equal(club('TestUser@123'), 'ok', "the approval script's password, though it holds the name")
  t.equal(club('Student@123'), 'ok', "the QR script's, though a guesser would try it early")
  t.equal(problemOf('Student@123'), 'guessable', 'both refused by the default policy')
  t.equal(club('student@123'), 'complexity', 'an upper-case letter, a lower-case one, a digit and a symbol')
  t.equal(club('Short@1'), 'too_short')
  t.equal(club('P@ssw0rd'), 'common', 'the well-known list still applies')
})
