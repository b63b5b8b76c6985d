import type { LegacyTable, LegacyVersion } from './schemas'

/**
 * What an importer must report for the messy datasets of messy.ts, and what
 * the read models must hold after it ran. The semantics, in brief:
 *
 * - users: emails normalised (trim + lower case); of users whose normalised
 *   emails collide, the earliest created_at is imported and the others skipped
 *   'duplicate_email'. ADMIN → approved admin; STUDENT/MEMBER → approved
 *   student unless the approval request says otherwise (REJECTED → rejected,
 *   TIMEOUT → expired, PENDING → expired when past expires_at, else pending);
 *   NULL/'PENDING' role without a request → expired; an unknown role → expired
 *   with problem 'unknown_role'; approved but not active → deactivated; a hash
 *   that is not bcrypt → imported with problem 'password_unverifiable'.
 * - every imported user ends with exactly one approval request: its legacy one
 *   (v2) or a synthetic one.
 * - a row pointing at a missing user/event/session is skipped 'orphan'; at a
 *   skipped user, 'user_skipped'. v1 attendance: ABSENT is skipped 'absent'; a
 *   second PRESENT of the same (event, user) 'duplicate_mark', the earliest
 *   marked_at being kept. No row meets two of these reasons at once, so the
 *   order an importer checks them in does not change the numbers.
 * - events are all imported (deleted ones imported then deleted; an unknown v1
 *   status is a problem 'unknown_status'); materials without their file are
 *   skipped 'file_missing'; used_nonces are never imported ('not_needed').
 */
export type SkipReason =
  | 'duplicate_email'
  | 'invalid_email'
  | 'orphan'
  | 'user_skipped'
  | 'absent'
  | 'duplicate_mark'
  | 'file_missing'
  | 'not_needed'

export type ProblemKind = 'unknown_role' | 'password_unverifiable' | 'unknown_status'

export interface TableOutcome {
  /** rows in the legacy table */
  rows: number
  /** rows turned into events */
  imported: number
  /** rows left out, by reason (imported + the sum of these = rows) */
  skipped: Partial<Record<SkipReason, number>>
  /** imported rows reported with a problem (a note, not a skip), by reason */
  problems: Partial<Record<ProblemKind, number>>
}

/** What the read models hold after the import (from the legacy data alone). */
export interface ReadModelCounts {
  users: number
  approval_requests: number
  /** club_events rows, deleted ones included */
  club_events: number
  /** of which deleted_at is set */
  club_events_deleted: number
  attendance_records: number
  qr_sessions: number
  /** notifications imported from the legacy table (not those the projections derive from imported facts) */
  notifications: number
  resources: number
  /** audit_log rows of imported legacy audit logs */
  audit_entries: number
}

export interface ExpectedImport<V extends LegacyVersion = LegacyVersion> {
  version: V
  tables: Record<LegacyTable<V>, TableOutcome>
  counts: ReadModelCounts
}

export type FinalStatus = 'approved' | 'rejected' | 'expired' | 'deactivated' | 'pending'

const V1: ExpectedImport<'v1'> = {
  version: 'v1',
  tables: {
    users: {
      rows: 11, // admin, alice, bob, carol, pranav, guest, Dana@Club.org, dana@club.org, erin, frank, grace
      imported: 10, // all but the later 'dana@club.org'
      skipped: { duplicate_email: 1 }, // 'dana@club.org' (id 8), created after 'Dana@Club.org' (id 7)
      problems: {
        unknown_role: 1, // guest.speaker@example.org, role 'GUEST'
        password_unverifiable: 1, // frank.menezes@dsclub.com, 'sha256$…'
      },
    },
    events: {
      rows: 6, // one per status (COMPLETED twice) plus 'POSTPONED'
      imported: 6, // events are always imported
      skipped: {},
      problems: { unknown_status: 1 }, // 'Kaggle Sprint', status 'POSTPONED'
    },
    attendance_sessions: {
      rows: 5, // event 1's, event 2's two, event 3's open one, event 99's
      imported: 4, // all but event 99's
      skipped: { orphan: 1 }, // session 5: event 99 does not exist
      problems: {},
    },
    study_materials: {
      rows: 4, // cheatsheet (event 1), notebook (event 2), handbook (no event), slides (event 3)
      imported: 3, // the three whose file createUploads writes
      skipped: { file_missing: 1 }, // 'Linear Models Slides' (uploads/linear_models.pdf)
      problems: {},
    },
    attendance_records: {
      rows: 12, // ids 1–12
      imported: 6, // ids 1, 2, 4, 6, 9, 12
      skipped: {
        orphan: 2, // id 10 (user 42 missing), id 11 (session 77 missing)
        user_skipped: 1, // id 8 (the skipped 'dana@club.org')
        absent: 2, // ids 3 and 7 (ABSENT)
        duplicate_mark: 1, // id 5: alice's second PRESENT at event 2, marked after id 6
      },
      problems: {},
    },
  },
  counts: {
    users: 10, // users imported
    approval_requests: 10, // v1 has no requests: one synthetic request per imported user
    club_events: 6, // all six events
    club_events_deleted: 0, // v1 has no deletion
    attendance_records: 6, // attendance_records imported
    qr_sessions: 4, // attendance_sessions imported
    notifications: 0, // v1 has no notifications table
    resources: 3, // study_materials imported
    audit_entries: 0, // v1 has no audit log
  },
}

const V2: ExpectedImport<'v2'> = {
  version: 'v2',
  tables: {
    users: {
      rows: 13, // admin, priya, rahul, sneha, vikram, meera, arjun, kavya, deepak, dana@, Dana@, nikhil, ishaan
      imported: 12, // all but 'dana@club.org'
      skipped: { duplicate_email: 1 }, // 'dana@club.org' (u-21), created after 'Dana@Club.org' (u-20)
      problems: { password_unverifiable: 1 }, // nikhil.rao@dsclub.com, 'sha256$…' (no unknown role: v2 has a CHECK)
    },
    approval_requests: {
      rows: 10, // priya, sneha, vikram, meera, kavya, deepak, u-21, u-20, ishaan, u-404
      imported: 8, // all but u-21's and u-404's
      skipped: {
        user_skipped: 1, // 'ar-21' of the skipped 'dana@club.org'
        orphan: 1, // 'ar-404': user u-404 does not exist
      },
      problems: {},
    },
    events: {
      rows: 5, // intro, pandas ('e-2'), Kaggle night (deleted), bootcamp (future), MLOps lecture
      imported: 5, // all, the Kaggle night deleted after its attendance
      skipped: {},
      problems: {},
    },
    qr_sessions: {
      rows: 6, // intro, pandas ×2 (one revoked), Kaggle, MLOps, 'qr-orphan'
      imported: 5, // all but 'qr-orphan'
      skipped: { orphan: 1 }, // 'qr-orphan': event 'e-gone' does not exist
      problems: {},
    },
    attendance_records: {
      rows: 13, // 9 good marks, 1 of the skipped user, 3 orphans
      imported: 9, // intro ×3, pandas ×2, Kaggle ×2 (deleted event), MLOps ×2
      skipped: {
        user_skipped: 1, // 'dana@club.org' at the pandas event
        orphan: 3, // user 'u-ghost'; event 'e-gone'; QR session 'qr-vanished'
      },
      problems: {},
    },
    used_nonces: {
      rows: 6, // the replay guard's recent nonces
      imported: 0, // never imported
      skipped: { not_needed: 6 }, // all six
      problems: {},
    },
    audit_logs: {
      rows: 10, // signup … login_success, in time order
      imported: 10, // all (secrets in meta_data redacted; user_id NULL is the system)
      skipped: {},
      problems: {},
    },
    notifications: {
      rows: 8, // admin ×2, priya ×2, u-21, u-deleted, sneha, ishaan
      imported: 6, // admin ×2, priya ×2, sneha, ishaan
      skipped: {
        user_skipped: 1, // to 'dana@club.org' (u-21)
        orphan: 1, // to 'u-deleted'
      },
      problems: {},
    },
    study_materials: {
      rows: 4, // intro slides, pandas cheat sheet, handbook (no event), MLOps notes
      imported: 3, // the three whose file createUploads writes
      skipped: { file_missing: 1 }, // 'MLOps lecture notes' (mlops-notes.pdf)
      problems: {},
    },
  },
  counts: {
    users: 12, // users imported
    approval_requests: 12, // 8 legacy requests imported + 4 synthetic (admin, rahul, arjun, nikhil had none)
    club_events: 5, // all five events
    club_events_deleted: 1, // the Kaggle night
    attendance_records: 9, // attendance imported (2 of them at the deleted event: deletion keeps marks)
    qr_sessions: 5, // qr_sessions imported
    notifications: 6, // notifications imported
    resources: 3, // study_materials imported
    audit_entries: 10, // audit_logs imported
  },
}

/** The numbers an importer must report for messy.ts's dataset of `version`. */
export function expected<V extends LegacyVersion>(version: V): ExpectedImport<V> {
  return structuredClone(version === 'v1' ? V1 : V2) as ExpectedImport<V>
}

const V1_STATUSES: Record<string, FinalStatus> = {
  'admin@dsclub.com': 'approved', // ADMIN → approved admin
  'alice.sharma@dsclub.com': 'approved', // MEMBER → approved student
  'bob.fernandes@dsclub.com': 'approved', // MEMBER (cost-4 hash)
  'carol.dsouza@dsclub.com': 'deactivated', // MEMBER, is_active 0
  'pranav.iyer@dsclub.com': 'expired', // 'PENDING', no request
  'guest.speaker@example.org': 'expired', // 'GUEST': unknown role
  'dana@club.org': 'approved', // the earlier 'Dana@Club.org' (id 7); the later one skipped
  'erin.mathew@dsclub.com': 'expired', // role NULL, no request
  'frank.menezes@dsclub.com': 'approved', // MEMBER (unverifiable hash: approved, cannot log in)
  'grace.hopper@dsclub.com': 'approved', // '  Grace.Hopper@DSClub.com ' normalised
}

const V2_STATUSES: Record<string, FinalStatus> = {
  'admin@dsclub.com': 'approved', // ADMIN, no request
  'priya.nair@dsclub.com': 'approved', // STUDENT, APPROVED request
  'rahul.verma@dsclub.com': 'approved', // STUDENT, no request
  'sneha.patil@dsclub.com': 'rejected', // REJECTED request
  'vikram.singh@dsclub.com': 'expired', // TIMEOUT request
  'meera.joshi@dsclub.com': 'expired', // PENDING request past expires_at
  'arjun.mehta@dsclub.com': 'expired', // role NULL, no request
  'kavya.reddy@dsclub.com': 'pending', // PENDING request expiring in 2099
  'deepak.kumar@dsclub.com': 'deactivated', // APPROVED, is_active 0
  'dana@club.org': 'approved', // the earlier 'Dana@Club.org' (u-20); the later one skipped
  'nikhil.rao@dsclub.com': 'approved', // STUDENT (unverifiable hash: approved, cannot log in)
  'ishaan.roy@dsclub.com': 'approved', // '  Ishaan.Roy@DSClub.com ' normalised, APPROVED request
}

/** Each imported user's status after the import, by normalised email. */
export function statuses(version: LegacyVersion): Record<string, FinalStatus> {
  return { ...(version === 'v1' ? V1_STATUSES : V2_STATUSES) }
}
