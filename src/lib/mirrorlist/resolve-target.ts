/**
 * What a request asks for (as MirrorManager2's mirrorlist server resolves it): a directory or a file
 * in one, from path= or from repo= + arch= (with repository redirects). Failures carry
 * the exact status and text of the reference.
 */
import type { IndexedDirectory, MirrorIndex } from './index/index-types.js'
import { echoable } from './echo.js'
import { repodataPathOf } from '../master/repodata-path.js'

export interface ResolvedTarget {
  ok: true
  directory: IndexedDirectory
  /** '' when the directory itself is asked for */
  file: string
  pathIsDirectory: boolean
  /** `# path = P ` or `# repo = R arch = A ` */
  header: string
  /** set for repo requests: the names as the access log records them (arch forced to source) */
  repo?: { repo: string; arch: string }
}

export interface TargetFailure {
  ok: false
  status: number
  message: string
  /** bytes that follow the message (the 404 repository listing) */
  listing?: Buffer
}

export function normalizePath(path: string): string {
  return path.replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '')
}

export function resolvePath(index: MirrorIndex, rawPath: string): ResolvedTarget | TargetFailure {
  const path = normalizePath(rawPath)
  const header = `# path = ${echoable(path)} `
  const directory = index.directories.get(path)
  if (directory) return { ok: true, directory, file: '', pathIsDirectory: true, header }
  const slash = path.lastIndexOf('/')
  const parent = index.directories.get(slash === -1 ? '' : path.slice(0, slash))
  if (!parent) return { ok: false, status: 404, message: 'error: invalid path' }
  // the file name is echoed in every URL and in the metalink 404: made echoable here, once
  return { ok: true, directory: parent, file: echoable(path.slice(slash + 1)), pathIsDirectory: false, header }
}

const repositoryHeader = (repo: string, arch: string) => `# repo = ${echoable(repo)} arch = ${echoable(arch)} `

export function resolveRepository(
  index: MirrorIndex,
  requestedRepo: string,
  requestedArch: string,
  metalink: boolean,
): ResolvedTarget | TargetFailure {
  const arch = requestedRepo.includes('source') ? 'source' : requestedArch
  const redirects = index.repositoryRedirects
  const repo = (redirects.size > 0 ? redirects.get(requestedRepo) : undefined) ?? requestedRepo
  const target = index.repositories.get(`${repo}+${arch}`)
  if (target?.disabled) return { ok: false, status: 200, message: 'repo disabled' }
  if (!target) {
    return {
      ok: false,
      status: 404,
      message: `${repositoryHeader(repo, arch)}error: invalid repo or arch\n# following repositories are available:\n`,
      listing: index.repositoryListing,
    }
  }
  // found under its own names: the header is the target's, made once (a memo of the index's data)
  const header = (target.header ??= repositoryHeader(target.prefix, target.arch))
  const accessLog = { repo: requestedRepo, arch }
  if (!metalink) {
    return { ok: true, directory: target.directory, file: '', pathIsDirectory: true, header, repo: accessLog }
  }
  // a memo of the index's own data (no hashing of a new path string per request)
  if (target.repodata === undefined) target.repodata = index.directories.get(repodataPathOf(target.directory.name)) ?? null
  const directory = target.repodata
  if (!directory) return { ok: false, status: 500, message: 'mirrorlist cache index out of range, you broke it!' }
  return { ok: true, directory, file: 'repomd.xml', pathIsDirectory: false, header, repo: accessLog }
}
