import { EventStoreDBClient } from '@eventstore/db-client'
import type { EventStore } from '../event-store'
import { toClientConnectionString } from './connection'
import { EsdbEventStore } from './esdb-event-store'

export interface EsdbEventStoreOptions {
  /** a read or subscription failed and will be retried (log it). @defaultValue ignore */
  onError?: (e: Error) => void
}

/**
 * The EventStoreDB/KurrentDB adapter for EVENTSTORE_URL (esdb://, kurrentdb://
 * and their +discover forms; `?tls=false` for an insecure single node). The
 * client connects lazily: this returns at once, and ping() tells whether the
 * server answers.
 */
export function createEsdbEventStore(connectionString: string, opts: EsdbEventStoreOptions = {}): EventStore {
  const client = EventStoreDBClient.connectionString(toClientConnectionString(connectionString))
  return new EsdbEventStore(client, opts.onError)
}
