/**
 * src/config.ts accepts the KurrentDB spellings of the connection string
 * (kurrentdb://, kurrent://, with or without +discover); @eventstore/db-client
 * v6 parses only esdb:// and esdb+discover://. Same host list, same options.
 */
const SCHEME = /^(esdb|kurrentdb|kurrent)(\+discover)?:\/\//i

export class InvalidConnectionString extends Error {
  override readonly name = 'InvalidConnectionString'
  constructor() {
    super(
      'EVENTSTORE_URL must start with esdb://, esdb+discover://, kurrentdb://, kurrentdb+discover://, kurrent:// or kurrent+discover://',
    )
  }
}

export function toClientConnectionString(url: string): string {
  const m = SCHEME.exec(url)
  if (!m) throw new InvalidConnectionString()
  return `esdb${m[2] ? '+discover' : ''}://${url.slice(m[0].length)}`
}
