/**
 * Reading a snapshot file: check the container header (magic, format version, schema)
 * before decoding anything, then decode the entries block by block into the
 * IndexBuilder. Any problem (missing file, other version, corrupt or truncated data,
 * broken invariant) is a SnapshotError: the server then keeps serving what it has.
 */
import { readFile } from 'node:fs/promises'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import avro from 'avsc'
import { SnapshotError } from '../../errors.js'
import { IndexBuilder } from './build-index.js'
import { blockEntries, containerBlocks, readContainerHeader, type ContainerHeader } from '../../snapshot/container.js'
import type { MirrorIndex } from './index-types.js'
import { FORMAT_METADATA_KEY, SNAPSHOT_FORMAT_VERSION, snapshotEntryType, type SnapshotEntry } from '../../snapshot/schema.js'

export type { MirrorIndex } from './index-types.js'

function checkFormat(header: ContainerHeader, file: string): void {
  const version = header.meta[FORMAT_METADATA_KEY]?.toString() ?? ''
  if (version !== String(SNAPSHOT_FORMAT_VERSION)) {
    throw new SnapshotError(`${file} has snapshot format version ${version || 'none'}; this program reads version ${SNAPSHOT_FORMAT_VERSION}`)
  }
  let writerType: avro.Type
  try {
    writerType = avro.Type.forSchema(JSON.parse(header.meta['avro.schema']?.toString() ?? '') as avro.Schema, { wrapUnions: 'auto' })
  } catch (error) {
    throw new SnapshotError(`${file} has an unreadable schema: ${(error as Error).message}`, { cause: error })
  }
  // Same version, same schema: entries decode with our type, no schema resolution needed.
  if (!writerType.equals(snapshotEntryType)) throw new SnapshotError(`${file} was written with another schema for format version ${version}`)
}

/** Reads and validates a snapshot file; builds the in-memory index. Never touches the database. */
export async function loadSnapshot(file: string): Promise<MirrorIndex> {
  let buffer: Buffer
  try {
    buffer = await readFile(file)
  } catch (error) {
    throw new SnapshotError(`cannot read snapshot ${file}: ${(error as Error).message}`, { cause: error })
  }
  const header = readContainerHeader(buffer, file)
  checkFormat(header, file)
  const builder = new IndexBuilder()
  for (const block of containerBlocks(buffer, header, file)) {
    for (const entry of blockEntries<SnapshotEntry>(block, snapshotEntryType, file)) builder.add(entry)
    await yieldToEventLoop() // one block (~256 KiB) at a time: a serving worker stays responsive
  }
  return builder.finish()
}
