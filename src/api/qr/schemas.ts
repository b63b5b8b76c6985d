import { Type } from '@sinclair/typebox'
import { Timestamp, Uuid } from '../schemas'

export const IssueQrBody = Type.Object({
  event_id: Uuid,
  ttl_seconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
})
export const QrSession = Type.Object({ id: Uuid, event_id: Uuid, payload: Type.String(), expires_at: Timestamp })
export const ActiveQrQuery = Type.Object({ event_id: Type.Optional(Uuid) })
