import { createInterface } from 'node:readline'
import { createAdmin } from './commands/identity/bootstrap'
import { ConfigError, loadConfig } from './config'
import { createRuntime } from './runtime'
import { AUDITOR_USAGE, auditorCommand } from './platform/cli/auditor'
import { IMPORT_USAGE, importCommand } from './platform/cli/legacy-import'

/**
 * `npm run cli -- <command>`. Passwords are read from stdin, never from argv
 * (argv shows up in `ps` and shell history).
 */
const USAGE = `usage:
  npm run cli -- create-admin --email <email> [--name <full name>]   (password on stdin)`

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

async function readSecret(prompt: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(prompt)
  const rl = createInterface({ input: process.stdin, terminal: false })
  for await (const line of rl) {
    rl.close()
    return line.replace(/\r$/, '')
  }
  throw new Error('no password on stdin')
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2)
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' })
  switch (command) {
    case 'create-admin': {
      const email = arg(args, '--email')
      if (!email) {
        console.error(USAGE)
        return 2
      }
      const password = await readSecret('admin password: ')
      const runtime = await createRuntime(config, 'api')
      try {
        const result = await createAdmin(runtime.identity, email, password, arg(args, '--name'))
        console.log(
          result === 'created' ? `admin ${email} created` : `an account for ${email} already exists; nothing changed`,
        )
        return 0
      } finally {
        await runtime.close()
      }
    }
    case 'import':
      return importCommand(args, config)
    default: {
      const code = await auditorCommand(command, args, config)
      if (code !== undefined) return code
      console.error(`${USAGE}\n${AUDITOR_USAGE}\n${IMPORT_USAGE}`)
      return 2
    }
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(
      err instanceof ConfigError ? `configuration error: ${err.message}` : err instanceof Error ? err.message : err,
    )
    process.exit(1)
  })
