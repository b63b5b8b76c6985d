import type { Generated } from 'kysely'

/** Every read-side table. Code passes Selectable<>/Insertable<> rows, never these. */
export interface Database {
  projection_checkpoints: ProjectionCheckpointsTable
}

export interface ProjectionCheckpointsTable {
  name: string
  /** the store's opaque position of the last event applied */
  position: string
  updated_at: Generated<Date>
}
