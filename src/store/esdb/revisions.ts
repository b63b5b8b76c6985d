import {
  ANY,
  type AppendExpectedRevision,
  type CurrentRevision,
  ErrorType,
  NO_STREAM,
  STREAM_EXISTS,
} from '@eventstore/db-client'
import type { ExpectedRevision } from '../event-store'
import { WrongExpectedVersion } from '../event-store'

/**
 * The port and ESDB count the same way (the revision of the last event,
 * 0-based), so an exact revision passes through unchanged.
 */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM
    case 'stream_exists':
      return STREAM_EXISTS
    case 'any':
      return ANY
    default:
      // the wire format is an unsigned 64-bit number: a negative value would
      // not be refused, it would be misread
      if (typeof expected !== 'bigint' || expected < 0n)
        throw new RangeError(`expected revision must be a non-negative bigint, got ${String(expected)}`)
      return expected
  }
}

/**
 * Older servers report a missing stream as revision -1 instead of leaving the
 * field out; both mean "no stream" in the port.
 */
export function toActualRevision(current: CurrentRevision | undefined): bigint | 'no_stream' {
  if (current === undefined || current === NO_STREAM) return 'no_stream'
  return current < 0n ? 'no_stream' : current
}

interface WrongExpectedVersionLike {
  type: ErrorType.WRONG_EXPECTED_VERSION
  streamName?: string
  actualVersion?: CurrentRevision
}

/**
 * Checked by its `type` tag rather than instanceof: a second copy of the
 * client package (nested node_modules) would have its own classes.
 */
function isWrongExpectedVersion(err: unknown): err is WrongExpectedVersionLike {
  return (
    typeof err === 'object' && err !== null && (err as { type?: unknown }).type === ErrorType.WRONG_EXPECTED_VERSION
  )
}

/**
 * ESDB's WrongExpectedVersionError → the port's WrongExpectedVersion, keeping
 * what the caller asked for (the server echoes `any` for some states); any
 * other error is returned unchanged.
 */
export function toPortError(err: unknown, stream: string, expected: ExpectedRevision): unknown {
  if (!isWrongExpectedVersion(err)) return err
  return new WrongExpectedVersion(stream, expected, toActualRevision(err.actualVersion))
}

export function isStreamNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === ErrorType.STREAM_NOT_FOUND
}
