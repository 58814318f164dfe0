/**
 * Writing snapshot files: entries (from any async source: the database collector, a
 * test) streamed through an Avro block encoder with deflate into a temporary file,
 * then installed by rename with the previous snapshot kept as `<name>.old`.
 */
import { createWriteStream, existsSync } from 'node:fs'
import { copyFile, link, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import avro from 'avsc'
import { SnapshotError } from '../errors.js'
import { contentSha256, headerWithMetadata, readContainerHeader } from './container.js'
import {
  CONTENT_SHA256_METADATA_KEY,
  FORMAT_METADATA_KEY,
  SNAPSHOT_FORMAT_VERSION,
  STATS_METADATA_KEY,
  snapshotEntryType,
  type SnapshotEntry,
} from './schema.js'

/** Written first, replaced by the real checksum once every block is on disk (same length). */
const CHECKSUM_PLACEHOLDER = Buffer.from('0'.repeat(64))

export interface SnapshotStats {
  hosts: number
  directories: number
  repositories: number
}

/** Writes `entries` to `file` (which should be a temporary name); returns its size in bytes. */
export async function writeSnapshotEntries(
  file: string,
  entries: AsyncIterable<SnapshotEntry> | Iterable<SnapshotEntry>,
  stats: SnapshotStats,
): Promise<number> {
  // (metadata is a documented BlockEncoder option missing from avsc's type declarations)
  const encoder = new avro.streams.BlockEncoder(snapshotEntryType, {
    codec: 'deflate',
    // 256 KiB blocks: fewer, better-compressed blocks than the 64 KiB default
    blockSize: 256 * 1024,
    metadata: {
      [FORMAT_METADATA_KEY]: Buffer.from(String(SNAPSHOT_FORMAT_VERSION)),
      [STATS_METADATA_KEY]: Buffer.from(JSON.stringify(stats)),
      [CONTENT_SHA256_METADATA_KEY]: CHECKSUM_PLACEHOLDER,
    },
  } as unknown as ConstructorParameters<typeof avro.streams.BlockEncoder>[1])
  await pipeline(Readable.from(entries, { objectMode: true }), encoder, createWriteStream(file, { mode: 0o644 }))
  await sealSnapshot(file)
  return (await stat(file)).size
}

/**
 * Writes the content checksum into the header of a finished file. Avro puts its metadata
 * before the blocks, so the header is written with a placeholder of the same length and
 * rewritten in place once the blocks are known: the file stays an ordinary Avro container.
 * The checksum is computed from the bytes read back from the file.
 */
async function sealSnapshot(file: string): Promise<void> {
  const buffer = await readFile(file)
  const header = readContainerHeader(buffer, file)
  const sealed = headerWithMetadata(buffer, header, CONTENT_SHA256_METADATA_KEY, Buffer.from(contentSha256(buffer, header)))
  const handle = await open(file, 'r+')
  try {
    await handle.write(sealed, 0, sealed.length, 0)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** The counts recorded in a snapshot's container header, or undefined (no file, not a snapshot). */
export function readSnapshotStats(file: string): SnapshotStats | undefined {
  if (!existsSync(file)) return undefined
  try {
    const header = avro.extractFileHeader(file, { decode: false }) as { meta: Record<string, Buffer> } | null
    const raw = header?.meta[STATS_METADATA_KEY]
    return raw ? (JSON.parse(raw.toString()) as SnapshotStats) : undefined
  } catch {
    return undefined
  }
}

/**
 * Moves `temporary` to `target`. An existing `target` is kept as `<target>.old` first
 * (hard link, so `target` never disappears for a reader; copy where links fail). The
 * final rename is atomic: a server reloading at any moment sees the old or the new file.
 */
export async function installSnapshot(temporary: string, target: string): Promise<string | undefined> {
  let kept: string | undefined
  if (existsSync(target)) {
    kept = `${target}.old`
    const staging = `${kept}.tmp-${process.pid}`
    await rm(staging, { force: true })
    try {
      await link(target, staging)
    } catch {
      await copyFile(target, staging)
    }
    await rename(staging, kept)
  }
  try {
    await rename(temporary, target)
  } catch (error) {
    throw new SnapshotError(`cannot install the snapshot as ${target}: ${(error as Error).message}`, { cause: error })
  }
  return kept
}
