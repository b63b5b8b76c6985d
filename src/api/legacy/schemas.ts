import { Type } from '@sinclair/typebox'
import { Limit, Timestamp } from '../schemas'

/** The API shapes of the legacy id lookup (legacy/routes.ts). */
export const LegacyIdQuery = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 300,
    description: "a legacy id from the original portal (an integer of v1, 'admin-default-uuid'…), or one of ours",
  }),
  limit: Type.Optional(Limit),
})

export const LegacyIdEntry = Type.Object({
  source: Type.String({ description: 'the import source key (docs/migration.md)' }),
  legacy_table: Type.String(),
  legacy_id: Type.String(),
  entity_type: Type.String({
    description: 'user, club_event, qr_session, attendance, resource, notification or audit_entry',
  }),
  entity_id: Type.String(),
  occurred_at: Timestamp,
})
