import t from 'tap'
import { normaliseEmail } from '../../../src/domain/identity/email'

t.test('an address is trimmed and lowercased whole, so case never makes a second account', async (t) => {
  t.equal(normaliseEmail('ann@example.org'), 'ann@example.org')
  t.equal(normaliseEmail('  Ann.Lee@Example.ORG \n'), 'ann.lee@example.org')
  t.equal(normaliseEmail('A@x.org'), normaliseEmail('a@x.org'), 'A@x.org and a@x.org are one account')
})

t.test("dots and +tags are kept: they are the provider's business", async (t) => {
  t.equal(normaliseEmail('a.b+club@gmail.com'), 'a.b+club@gmail.com')
  t.not(normaliseEmail('a.b@gmail.com'), normaliseEmail('ab@gmail.com'))
})

t.test('the WHATWG grammar is accepted', async (t) => {
  for (const ok of [
    "o'brien@example.ie",
    'x!#$%&*/=?^_`{|}~-@example.org',
    'a@sub.domain.example.co.uk',
    'a@xn--bcher-kva.example',
    'a@a-b.example',
    'a@1.2.3.4',
    'a..b@example.org',
  ]) {
    t.type(normaliseEmail(ok), 'string', ok)
  }
})

t.test('malformed addresses are null', async (t) => {
  for (const bad of [
    '',
    '   ',
    'plainaddress',
    '@example.org',
    'ann@',
    'ann@@example.org',
    'ann@x@example.org',
    'ann@localhost',
    'ann@example.',
    'ann@.example.org',
    'ann@example..org',
    'ann@-example.org',
    'ann@example-.org',
    'ann@exa_mple.org',
    'ann lee@example.org',
    'ann@exa mple.org',
    'ann\t@example.org',
    'ann@example.org\u0000',
    'ann\u0007@example.org',
    '"ann"@example.org',
    'ann(comment)@example.org',
    'ann@[127.0.0.1]',
    'ann@example.org.',
    'ann,bob@example.org',
  ]) {
    t.equal(normaliseEmail(bad), null, JSON.stringify(bad))
  }
})

t.test('non-ASCII is refused, including letters that lowercase to ASCII', async (t) => {
  t.equal(normaliseEmail('anné@example.org'), null)
  t.equal(normaliseEmail('ann@bücher.example'), null, 'IDN domains must arrive as punycode')
  t.equal(normaliseEmail('ann@exаmple.org'), null, 'a Cyrillic а')
  // U+212A KELVIN SIGN lowercases to "k": lowercasing before checking would accept it
  t.equal('\u212A'.toLowerCase(), 'k')
  t.equal(normaliseEmail('\u212Aate@example.org'), null)
  t.equal(normaliseEmail('kate@example.org\u200b'), null, 'a zero-width space is not trimmed away')
})

t.test('length limits: local part 64, label 63, whole address 254', async (t) => {
  t.type(normaliseEmail(`${'a'.repeat(64)}@example.org`), 'string')
  t.equal(normaliseEmail(`${'a'.repeat(65)}@example.org`), null)
  t.type(normaliseEmail(`a@${'b'.repeat(63)}.org`), 'string')
  t.equal(normaliseEmail(`a@${'b'.repeat(64)}.org`), null)

  // 64 + 1 + 189 = 254, built from valid labels so only the total can fail
  const domainOf = (n: number) => `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(n - 63 - 63 - 2 - 4)}.org`
  const at254 = `${'a'.repeat(64)}@${domainOf(189)}`
  t.equal(at254.length, 254)
  t.equal(normaliseEmail(at254), at254)
  const at255 = `${'a'.repeat(64)}@${domainOf(190)}`
  t.equal(at255.length, 255)
  t.equal(normaliseEmail(at255), null)
  t.equal(normaliseEmail(`  ${at254}  `), at254, 'surrounding space does not count')
})

t.test('a non-string is null, not a crash', async (t) => {
  t.equal(normaliseEmail(undefined as unknown as string), null)
  t.equal(normaliseEmail(42 as unknown as string), null)
})
