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
import { blockEntries, containerBlocks, contentSha256, readContainerHeader, type ContainerHeader } from '../../snapshot/container.js'
import type { MirrorIndex } from './index-types.js'
import { CONTENT_SHA256_METADATA_KEY, FORMAT_METADATA_KEY, READABLE_FORMAT_VERSIONS, SNAPSHOT_FORMAT_VERSION, snapshotEntryType, type SnapshotEntry } from '../../snapshot/schema.js'

export type { MirrorIndex } from './index-types.js'

/**
 * The canonical form of a schema: what avsc's `Type.equals` compares (through an MD5 of it).
 * Speed: `equals` hashes with a crypto Hash used as a stream (`end()` then `read()`), and a
 * serve-mirrorlist worker that did so while loading answered every later request ~13 µs
 * slower (node:http's stream internals, 66 vs 53 µs per constant-body request in the same
 * worker; 4 of 4 processes, bench/RESULTS-server.md 2026-12-05). Comparing the canonical
 * text is the same check, without the stream.
 */
const canonicalSchema = (type: avro.Type): string => JSON.stringify(type.schema())

/** Checks the format version and schema; returns the resolver for an older readable version. */
function checkFormat(header: ContainerHeader, file: string): ReturnType<avro.Type['createResolver']> | undefined {
  const version = header.meta[FORMAT_METADATA_KEY]?.toString() ?? ''
  if (!READABLE_FORMAT_VERSIONS.some((readable) => String(readable) === version)) {
    throw new SnapshotError(`${file} has snapshot format version ${version || 'none'}; this program reads versions ${READABLE_FORMAT_VERSIONS.join(', ')}`)
  }
  let writerType: avro.Type
  try {
    writerType = avro.Type.forSchema(JSON.parse(header.meta['avro.schema']?.toString() ?? '') as avro.Schema, { wrapUnions: 'auto' })
  } catch (error) {
    throw new SnapshotError(`${file} has an unreadable schema: ${(error as Error).message}`, { cause: error })
  }
  // Same version, same schema: entries decode with our type, no schema resolution needed.
  if (version === String(SNAPSHOT_FORMAT_VERSION)) {
    if (canonicalSchema(writerType) !== canonicalSchema(snapshotEntryType)) throw new SnapshotError(`${file} was written with another schema for format version ${version}`)
    return undefined
  }
  try {
    return snapshotEntryType.createResolver(writerType)
  } catch (error) {
    throw new SnapshotError(`${file} was written with another schema for format version ${version}: ${(error as Error).message}`, { cause: error })
  }
}

/**
 * The content checksum, before anything is decoded. A file without one was written by
 * generate-snapshot before it recorded checksums: accepted, with a warning, so that a
 * server upgraded before generate-snapshot keeps serving (the blocks are still checked
 * for structure, as they always were).
 */
function checkContent(buffer: Buffer, header: ContainerHeader, file: string, warn: (message: string) => void): void {
  const recorded = header.meta[CONTENT_SHA256_METADATA_KEY]?.toString()
  if (recorded === undefined) {
    warn(`snapshot ${file} has no content checksum (written by an older generate-snapshot): damage to it cannot be detected; run generate-snapshot again`)
    return
  }
  const actual = contentSha256(buffer, header)
  if (actual !== recorded) throw new SnapshotError(`snapshot ${file} is corrupt: its content does not match its checksum (sha256 ${actual}, recorded ${recorded})`)
}

export interface LoadOptions {
  /** where warnings go (a snapshot without a checksum); default: nowhere */
  warn?: (message: string) => void
}

/** Reads and validates a snapshot file; builds the in-memory index. Never touches the database. */
export async function loadSnapshot(file: string, options: LoadOptions = {}): Promise<MirrorIndex> {
  let buffer: Buffer
  try {
    buffer = await readFile(file)
  } catch (error) {
    throw new SnapshotError(`cannot read snapshot ${file}: ${(error as Error).message}`, { cause: error })
  }
  return loadSnapshotBytes(buffer, file, options)
}

/** loadSnapshot of bytes already read (`file` names them in messages). */
export async function loadSnapshotBytes(buffer: Buffer, file: string, options: LoadOptions = {}): Promise<MirrorIndex> {
  const header = readContainerHeader(buffer, file)
  const resolver = checkFormat(header, file)
  checkContent(buffer, header, file, options.warn ?? (() => {}))
  const builder = new IndexBuilder()
  for (const block of containerBlocks(buffer, header, file)) {
    for (const entry of blockEntries<SnapshotEntry>(block, snapshotEntryType, file, resolver)) builder.add(entry)
    await yieldToEventLoop() // one block (~256 KiB) at a time: a serving worker stays responsive
  }
  return builder.finish()
}
