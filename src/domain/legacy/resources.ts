import { resourceStream } from '../resources/events'
import { entityId } from './ids'
import type { PlanContext } from './plan-types'
import type { LegacyMaterial } from './snapshot'
import type { ImportedClubEvent } from './club-events'
import { firstAdmin, type UserMap } from './users'

/** The file's name in the uploads directory: the last part of the path the portal stored, whichever separator it used. */
function uploadName(m: LegacyMaterial): string | null {
  const name = (m.file_path ?? m.file_name ?? '').split(/[\\/]/).pop()
  return name && name !== '.' && name !== '..' ? name : null
}

/**
 * Each study material whose file is in the uploads directory becomes a
 * resource; the writer reads the file, checks it as an upload is checked and
 * completes the event's file facts (size, SHA-256, type).
 */
export function planResources(
  ctx: PlanContext,
  materials: LegacyMaterial[],
  events: Map<string, ImportedClubEvent>,
  users: UserMap,
  files: ReadonlySet<string>,
): void {
  const uploader = firstAdmin(users)
  for (const m of materials) {
    const name = uploadName(m)
    if (ctx.opts.uploadsDir === null) {
      ctx.report.skip('study_materials', m.id, 'no_uploads_dir', 'no --uploads directory was given')
      continue
    }
    if (!name || !files.has(name)) {
      ctx.report.skip('study_materials', m.id, 'file_missing', `${name ?? 'its file'} is not in the uploads directory`)
      continue
    }
    const clubEvent = m.event_id ? events.get(m.event_id) : undefined
    if (m.event_id && !clubEvent)
      ctx.report.note(
        'study_materials',
        m.id,
        'event_missing',
        'its club event does not exist in the source: filed for the whole club',
      )
    const id = entityId(ctx.opts.source, 'study_materials', m.id)
    const by = (m.uploaded_by && users.imported.get(m.uploaded_by)?.id) || uploader
    const at = m.uploaded_at ?? ctx.opts.now.toISOString()
    ctx.append({
      phase: 'resources',
      stream: resourceStream(id),
      expected: 'no_stream',
      table: 'study_materials',
      legacy_id: m.id,
      file: { path: name },
      events: [
        ctx.event(
          'study_materials',
          m.id,
          'uploaded',
          at,
          {
            type: 'ResourceUploaded',
            // file facts (file_name, content_type, size, sha256) are the writer's: it reads the bytes
            data: {
              resource_id: id,
              title: (m.title ?? m.file_name ?? name).slice(0, 200),
              description: m.description,
              club_event_id: clubEvent?.id ?? null,
              uploaded_by: by,
              uploaded_at: at,
              file_name: m.file_name ?? name,
            },
          },
          { actor_id: by },
        ),
      ],
    })
    ctx.report.imported('study_materials')
    ctx.expect('study_materials', 'resources', id)
  }
}
