import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** The repository's root, whether this runs from bench/ (under tap) or from dist-bench/bench/ (npm run bench). */
export const ROOT: string = (() => {
  let dir = __dirname
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir)
  return dir
})()
