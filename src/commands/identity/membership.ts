import { userDecider } from '../../domain/identity/user'
import { userStream } from '../../domain/identity/user-events'
import type { EventStore } from '../../store/event-store'
import { loadState } from '../handle'

/** Whether the account is an approved member now, as its stream says (never a read model that could lag). */
export async function isApprovedMember(store: Pick<EventStore, 'readStream'>, userId: string): Promise<boolean> {
  return (await loadState(store, userStream(userId), userDecider)).status === 'approved'
}
