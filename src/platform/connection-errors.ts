/** A PostgreSQL connection lost or refused (node-postgres and PGlite errors): a 503, and a client to discard. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '08006' ||
    code === '08003' ||
    code === '08000' ||
    /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      String((err as Error)?.message),
    )
  )
}
