import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'

const ROOT = join(__dirname, '..')
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

t.test("the README's folder list names exactly what src/ holds", async (t) => {
  const block = /```\nsrc\/\n([\s\S]*?)```/.exec(readme)
  t.ok(block, 'the README lists src/')
  // a top-level entry is a line indented by two spaces: its names, then its description
  const listed = block![1]!
    .split('\n')
    .filter((l) => /^ {2}\S/.test(l))
    .flatMap((l) =>
      l
        .trim()
        .split(/\s{2,}/)[0]!
        .split(/,\s*/),
    )
    .map((n) => n.replace(/\/$/, ''))
    .sort()
  const actual = readdirSync(join(ROOT, 'src')).sort()
  t.same(listed, actual)
})

t.test('the README starts with the two commands: install and run, then test', async (t) => {
  t.match(readme, /## Quick start\n\n```sh\nnpm ci && npm start\nnpm test\n```/)
})
