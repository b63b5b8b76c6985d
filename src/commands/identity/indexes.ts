import {
  type ApprovalRequestIndexed,
  type SessionIndexed,
  approvalRequestStream,
  userSessionsStream,
} from '../../domain/identity/indexes'
import type { EventStore } from '../../store/event-store'
import type { CommandContext, CommandDeps } from '../context'
import { record } from '../handle'

/** Files a request under its id before the signup that makes it (domain/identity/indexes.ts). */
export async function indexApprovalRequest(
  deps: CommandDeps,
  entry: ApprovalRequestIndexed['data'],
  ctx: CommandContext,
): Promise<void> {
  await record(deps, approvalRequestStream(entry.request_id), { type: 'ApprovalRequestIndexed', data: entry }, ctx)
}

/** The account a request id was filed under; undefined for an id nobody filed. */
export async function requestOwner(
  store: Pick<EventStore, 'readStream'>,
  requestId: string,
): Promise<string | undefined> {
  const [first] = await store.readStream(approvalRequestStream(requestId))
  return first?.type === 'ApprovalRequestIndexed' ? (first.data as ApprovalRequestIndexed['data']).user_id : undefined
}

/** Files a session under its account before the session starts. */
export async function indexSession(
  deps: CommandDeps,
  entry: SessionIndexed['data'],
  ctx: CommandContext,
): Promise<void> {
  await record(deps, userSessionsStream(entry.user_id), { type: 'SessionIndexed', data: entry }, ctx)
}

/** The sessions filed under an account that have not reached their absolute end by `now`. */
export async function unexpiredSessions(
  store: Pick<EventStore, 'readStream'>,
  userId: string,
  now: Date,
): Promise<string[]> {
  const entries = await store.readStream(userSessionsStream(userId))
  return entries
    .filter((e) => e.type === 'SessionIndexed')
    .map((e) => e.data as SessionIndexed['data'])
    .filter((s) => Date.parse(s.expires_at) > now.getTime())
    .map((s) => s.session_id)
}
