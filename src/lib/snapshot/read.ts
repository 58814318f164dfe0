/**
 * Reading a snapshot file: check the container header (magic, format version, schema)
 * before decoding anything, then stream the entries into the IndexBuilder. Any problem
 * (missing file, other version, corrupt or truncated data, broken invariant) is a
 * SnapshotError: the server then keeps serving the snapshot it has.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import avro from 'avsc'
import { SnapshotError } from '../errors.js'
import { IndexBuilder } from './build-index.js'
import type { MirrorIndex } from './index-types.js'
import { FORMAT_METADATA_KEY, SNAPSHOT_FORMAT_VERSION, snapshotEntryType, type SnapshotEntry } from './schema.js'

export type { MirrorIndex } from './index-types.js'

function checkHeader(file: string): void {
  let header: { meta: Record<string, unknown> } | null
  try {
    header = avro.extractFileHeader(file) as { meta: Record<string, unknown> } | null
  } catch (error) {
    throw new SnapshotError(`cannot read snapshot ${file}: ${(error as Error).message}`, { cause: error })
  }
  if (!header) throw new SnapshotError(`${file} is not a snapshot (not an Avro container file)`)
  const version = String(header.meta[FORMAT_METADATA_KEY] ?? '')
  if (version !== String(SNAPSHOT_FORMAT_VERSION)) {
    throw new SnapshotError(`${file} has snapshot format version ${version || 'none'}; this program reads version ${SNAPSHOT_FORMAT_VERSION}`)
  }
  const writerType = avro.Type.forSchema(header.meta['avro.schema'] as avro.Schema, { wrapUnions: 'auto' })
  if (!writerType.equals(snapshotEntryType)) {
    throw new SnapshotError(`${file} was written with another schema for format version ${version}`)
  }
}

/** Reads and validates a snapshot file; builds the in-memory index. Never touches the database. */
export async function loadSnapshot(file: string): Promise<MirrorIndex> {
  try {
    await stat(file)
  } catch (error) {
    throw new SnapshotError(`cannot read snapshot ${file}: ${(error as Error).message}`, { cause: error })
  }
  checkHeader(file)
  const builder = new IndexBuilder()
  // The writer's schema equals ours (checked above), so decoding needs no resolver.
  const decoder = createReadStream(file).pipe(new avro.streams.BlockDecoder({ readerSchema: snapshotEntryType }))
  try {
    for await (const entry of decoder) builder.add(entry as SnapshotEntry)
  } catch (error) {
    if (error instanceof SnapshotError) throw error
    throw new SnapshotError(`snapshot ${file} is corrupt: ${(error as Error).message}`, { cause: error })
  }
  return builder.finish()
}
