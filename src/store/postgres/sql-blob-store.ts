import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { SqlPool } from '../../db/sql-pool'
import { type BlobStore, BlobDamaged, BlobMissing, BlobTooLarge, type WrittenBlob } from '../blob-store'

/**
 * Large enough that a 25 MiB file is 100 rows, small enough that a process
 * holds one chunk per upload or download in flight (PostgreSQL TOASTs and
 * compresses each row's bytes on its own).
 */
const CHUNK_BYTES = 256 * 1024

const INSERT_CHUNK = 'INSERT INTO blob_chunks (blob_id, seq, bytes) VALUES ($1, $2, $3)'
const READ_CHUNK = 'SELECT bytes FROM blob_chunks WHERE blob_id = $1 AND seq = $2'

/** PGlite hands bytea over as a Uint8Array, node-postgres as a Buffer */
const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength))

/**
 * Blobs in the PostgreSQL (or PGlite) database itself, `blob_chunks` rows of
 * CHUNK_BYTES: one backup (pg_dump, WAL archiving) covers them with the
 * events, and every API process on every machine reads what any other wrote.
 * Each chunk is its own short statement: an upload paced by a slow client
 * never holds a transaction open (an open one would hold back the global
 * feed, docs/architecture.md §4) nor a pooled connection between chunks.
 */
export class SqlBlobStore implements BlobStore {
  constructor(
    private readonly pool: SqlPool,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {}

  async write(id: string, source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<WrittenBlob> {
    await this.pool.query('INSERT INTO blob_uploads (blob_id) VALUES ($1)', [id])
    const hash = createHash('sha256')
    let size = 0
    let seq = 0
    // one buffer, refilled: after a chunk's INSERT has resolved, node-postgres holds no reference to it
    const chunk = Buffer.allocUnsafe(this.chunkBytes)
    let used = 0
    try {
      for await (const data of source) {
        size += data.length
        // before the bytes are kept anywhere: throwing ends the loop, which stops the source
        if (size > opts.maxBytes) throw new BlobTooLarge(opts.maxBytes)
        hash.update(data)
        for (let at = 0; at < data.length;) {
          const n = Math.min(data.length - at, chunk.length - used)
          chunk.set(data.subarray(at, at + n), used)
          used += n
          at += n
          if (used === chunk.length) {
            await this.pool.query({ name: 'blob_insert_chunk', text: INSERT_CHUNK, values: [id, seq++, chunk] })
            used = 0
          }
        }
      }
      if (used > 0)
        await this.pool.query({
          name: 'blob_insert_chunk',
          text: INSERT_CHUNK,
          values: [id, seq, chunk.subarray(0, used)],
        })
      return { size, sha256: hash.digest('hex') }
    } catch (err) {
      // what was written goes with the failure; if even that fails, the upload mark stays for the sweep
      await this.erase(id).catch(() => undefined)
      throw err
    }
  }

  async settle(id: string): Promise<void> {
    await this.pool.query('DELETE FROM blob_uploads WHERE blob_id = $1', [id])
  }

  async open(id: string, expected: WrittenBlob): Promise<Readable> {
    const first = await this.chunk(id, 0)
    if (!first) throw new BlobMissing(id)
    const chunk = (seq: number) => this.chunk(id, seq)
    async function* bytes(): AsyncGenerator<Buffer> {
      const hash = createHash('sha256')
      let size = 0
      let next: Buffer | undefined = first
      for (let seq = 1; next; seq++) {
        size += next.length
        hash.update(next)
        yield next
        next = await chunk(seq)
      }
      // a row lost or changed since the upload: the reader must not take a short or altered file for the real one
      if (size !== expected.size || hash.digest('hex') !== expected.sha256) throw new BlobDamaged(id)
    }
    // the default high-water mark (16 KiB) is below a chunk: one chunk at a time is buffered
    return Readable.from(bytes(), { objectMode: false })
  }

  async erase(id: string): Promise<void> {
    await this.pool.query('DELETE FROM blob_chunks WHERE blob_id = $1', [id])
    // last: a failure between the two leaves the mark, and the sweep erases again
    await this.pool.query('DELETE FROM blob_uploads WHERE blob_id = $1', [id])
  }

  async unsettled(seconds: number, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ blob_id: string }>(
      `SELECT blob_id FROM blob_uploads WHERE started_at < now() - make_interval(secs => $1)
        ORDER BY started_at LIMIT $2`,
      [seconds, limit],
    )
    return rows.map((r) => r.blob_id)
  }

  private async chunk(id: string, seq: number): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ bytes: Uint8Array }>({
      name: 'blob_read_chunk',
      text: READ_CHUNK,
      values: [id, seq],
    })
    return rows[0] ? asBuffer(rows[0].bytes) : undefined
  }
}
