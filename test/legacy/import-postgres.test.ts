import t from 'tap'
import { importSuite } from '../helpers/legacy/import-suite'

// the original portal's PostgreSQL (Supabase) databases, v1 and v2 (issue 16)
importSuite(t, 'postgres')
