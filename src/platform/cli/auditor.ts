import type { Config } from '../../config'
import { createRuntime } from '../../runtime'
import { auditVerifyCommand } from './audit-verify'
import { exportEvents } from './events-export'
import { rebuildProjections } from '../../projections/rebuild'
import { replay } from '../../projections/replay'

/** The auditor's commands (src/cli.ts dispatches here). */
export const AUDITOR_USAGE = `  npm run cli -- audit verify                                    (exit 1 when the chain is broken)
  npm run cli -- events export --out <file> [--after <position>]
  npm run cli -- projections rebuild [name…]                      (built aside, then swapped in: safe while everything runs)
  npm run cli -- replay --until <ISO time> --schema <name>`

const arg = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

/** Runs one auditor command; undefined when `command` is not one of them, 2 on bad usage. */
export async function auditorCommand(
  command: string | undefined,
  args: string[],
  config: Readonly<Config>,
  print: (line: string) => void = (l) => console.log(l),
): Promise<number | undefined> {
  const sub = `${command ?? ''} ${args[0] ?? ''}`
  const known = ['audit verify', 'events export', 'projections rebuild'].includes(sub) || command === 'replay'
  if (!known) return undefined
  const out = arg(args, '--out')
  const until = arg(args, '--until')
  const schema = arg(args, '--schema')
  if ((sub === 'events export' && !out) || (command === 'replay' && (!until || !schema))) {
    console.error(`usage:\n${AUDITOR_USAGE}`)
    return 2
  }
  // the api role: no projector runs in this process (a rebuild swaps its tables in under the live ones)
  const runtime = await createRuntime(config, 'api')
  try {
    if (sub === 'audit verify') return await auditVerifyCommand(runtime, print)
    if (sub === 'events export') {
      const { count, last } = await exportEvents(runtime.store, out!, arg(args, '--after'))
      print(JSON.stringify({ written: count, file: out, last_position: last }))
      return 0
    }
    if (sub === 'projections rebuild') {
      print(
        JSON.stringify({
          rebuilt: await rebuildProjections(runtime.db.kysely, runtime.store, args.slice(1), {
            singleConnection: runtime.db.kind === 'pglite',
          }),
        }),
      )
      return 0
    }
    print(
      JSON.stringify({ schema, until, ...(await replay(runtime.db.kysely, runtime.store, new Date(until!), schema!)) }),
    )
    return 0
  } finally {
    await runtime.close()
  }
}
