/**
 * Writing snapshot files: entries (from any async source: the database collector, a
 * test) streamed through an Avro block encoder with deflate into a temporary file,
 * then installed by rename with the previous snapshot kept as `<name>.old`.
 */
import { createWriteStream, existsSync } from 'node:fs'
import { copyFile, link, rename, rm, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import avro from 'avsc'
import { SnapshotError } from '../errors.js'
import { FORMAT_METADATA_KEY, SNAPSHOT_FORMAT_VERSION, STATS_METADATA_KEY, snapshotEntryType, type SnapshotEntry } from './schema.js'

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
    },
  } as unknown as ConstructorParameters<typeof avro.streams.BlockEncoder>[1])
  await pipeline(Readable.from(entries, { objectMode: true }), encoder, createWriteStream(file, { mode: 0o644 }))
  return (await stat(file)).size
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
