import { benchAuth } from './auth'
import { IMPORT_TITLE, benchLegacyImport } from './legacy-import'
import { printTable } from './lib'
import { benchResources } from './resources'
import { benchScan } from './scan'
import { benchStore } from './store'

/** `npm run bench`: every benchmark, each figure beside its baseline from the same run. */
async function main(): Promise<void> {
  printTable('Event store (PostgreSQL)', await benchStore())
  printTable('Login (service in a child process, bcrypt cost 12 on worker threads)', await benchAuth())
  printTable('QR scans over HTTP (service in a child process, rate limits off)', await benchScan())
  printTable('Study resources: the memory an upload costs the service (PostgreSQL)', await benchResources())
  printTable(IMPORT_TITLE, await benchLegacyImport())
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
