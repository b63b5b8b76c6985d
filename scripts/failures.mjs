#!/usr/bin/env node
// After a failed `tap`, print every failed assertion again, last. CI keeps
// only the tail of a long log, and in the raw TAP stream a failure sits
// among 7,000 passes; tap keeps each file's results in .tap/test-results.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = '.tap/test-results'

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* files(path)
    else if (entry.name.endsWith('.tap')) yield path
  }
}

/** Each `not ok` line with its YAML diagnostics (up to the `...` that ends them). */
function failures(lines) {
  const found = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*not ok\b/.test(lines[i])) continue
    const block = [lines[i]]
    if (/^\s*---\s*$/.test(lines[i + 1] ?? '')) {
      for (let j = i + 1; j < lines.length && j < i + 60; j++) {
        block.push(lines[j])
        if (/^\s*\.\.\.\s*$/.test(lines[j])) break
      }
    }
    found.push(block.join('\n'))
  }
  return found
}

let count = 0
try {
  for (const file of files(root)) {
    const found = failures(readFileSync(file, 'utf8').split('\n'))
    if (!found.length) continue
    count += found.length
    console.error(`\n# failed in ${file.slice(root.length + 1, -'.tap'.length)}:\n${found.join('\n')}`)
  }
} catch (err) {
  console.error(`failures: cannot read ${root}: ${err.message}`)
}
console.error(
  count
    ? `\n# ${count} failed assertion(s) and subtest(s), listed above`
    : '\n# no failed assertion in the saved results',
)
process.exit(1)
