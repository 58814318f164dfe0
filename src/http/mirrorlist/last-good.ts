/**
 * The last snapshot that validated, kept by serve-mirrorlist in a private copy. A worker
 * started (or restarted) while the file on disk is damaged would otherwise have nothing
 * to serve: it loads this copy instead. The primary makes a private directory for the
 * copy at start and removes it at exit; a worker that loaded a file writes the exact
 * bytes it validated there (temporary name, then rename: a reader sees a whole file).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SnapshotError } from '../../lib/errors.js'
import { loadSnapshotBytes, type MirrorIndex } from '../../lib/mirrorlist/index/read.js'

/**
 * A private directory (0700) for the copy — and for the workers' compact copy of the
 * global netblocks (lib/netblocks/compact-netblocks.ts); returns their paths and how to
 * remove them.
 */
export function makeLastGoodCopyPath(): { path: string; globalNetblocksCopy: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mirrormanager-mirrorlist-'))
  return {
    path: join(dir, 'last-good.avro'),
    globalNetblocksCopy: join(dir, 'global-netblocks.bin'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/**
 * Loads `file`; when it validates and `copy` is set (and is another file), keeps its bytes
 * as the last good copy. Failing to write the copy costs the fallback, never the load.
 */
export async function loadKeepingLastGood(
  file: string,
  copy: string | undefined,
  log: { warn(message: string): void },
): Promise<MirrorIndex> {
  let buffer: Buffer
  try {
    buffer = await readFile(file)
  } catch (error) {
    throw new SnapshotError(`cannot read snapshot ${file}: ${(error as Error).message}`, { cause: error })
  }
  const index = await loadSnapshotBytes(buffer, file, { warn: (message) => log.warn(message) })
  if (copy && copy !== file) {
    const staging = `${copy}.tmp-${process.pid}`
    try {
      await writeFile(staging, buffer, { mode: 0o600 })
      await rename(staging, copy)
    } catch (error) {
      log.warn(`cannot keep a copy of the last good snapshot in ${copy}: ${(error as Error).message}`)
    }
  }
  return index
}
