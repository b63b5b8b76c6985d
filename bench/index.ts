import { printTable } from './lib'
import { benchStore } from './store'

/** `npm run bench`: every benchmark, each figure beside its baseline from the same run. */
async function main(): Promise<void> {
  printTable('Event store (PostgreSQL)', await benchStore())
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
