import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import type { Logger } from '../log.js'
import { buildPayload, readReportMirrorConfig, type Payload, type Transport } from './client-config.js'
import { parseExcludePatterns } from './dirtree.js'
import { pythonJsonDumps } from './python-json.js'
import { sendCheckin, type SendResult } from './transport.js'

export interface ReportMirrorOptions {
  configFile: string
  /** -n: build (and maybe write) the payload, do not send it. */
  noSend: boolean
  /** -o: write the payload JSON here. */
  output?: string
  /** -i: send this payload (JSON) instead of walking the disk. */
  input?: string
  excludeFrom?: string
  transport?: Transport | 'auto'
  retries: number
  retryDelaySeconds: number
  userAgent: string
  logger: Logger
}

export interface ReportMirrorResult {
  /** Where it goes and who reports: [global] server, [site] name, [host] name. */
  readonly server: string
  readonly site?: string
  readonly host?: string
  /** Categories reported, with their directory counts. */
  readonly categories: { name: string; directories: number }[]
  readonly payloadBytes: number
  readonly sent?: SendResult
}

function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

function readInputPayload(path: string): Payload {
  let value: unknown
  try {
    value = JSON.parse(readTextFile(path, 'input file'))
  } catch (error) {
    if (error instanceof ConfigError) throw error
    throw new ConfigError(`the input file ${path} is not JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`the input file ${path} is not a JSON object`)
  return value as Payload
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`
  writeFileSync(temp, text, { mode: 0o600 }) // it holds the site password
  renameSync(temp, path)
}

/**
 * What `report_mirror` does after an rsync: read the config file, walk every enabled
 * category path, build the payload, optionally write it, and send it to the server.
 */
export async function reportMirror(options: ReportMirrorOptions): Promise<ReportMirrorResult> {
  const config = readReportMirrorConfig(options.configFile)
  const excludePatterns = options.excludeFrom ? parseExcludePatterns(readTextFile(options.excludeFrom, 'exclude file')) : []
  const payload = buildPayload(config, {
    input: options.input ? readInputPayload(options.input) : undefined,
    excludePatterns,
    logger: options.logger,
  })
  const json = pythonJsonDumps(payload)
  options.logger.debug(`payload: ${pythonJsonDumps({ ...payload, site: { ...(payload.site as object), password: '***' } })}`)
  if (options.output) writeAtomically(options.output, json)
  const categories = Object.entries(payload).flatMap(([name, section]) => {
    const dirtree = (section as { dirtree?: unknown } | null)?.dirtree
    if (typeof dirtree !== 'object' || dirtree === null) return []
    return [{ name, directories: dirtree instanceof Map ? dirtree.size : Object.keys(dirtree).length }]
  })
  const nameOf = (section: unknown) => {
    const name = (section as { name?: unknown } | null)?.name
    return typeof name === 'string' ? name : undefined
  }
  const result = { server: config.server, site: nameOf(payload.site), host: nameOf(payload.host), categories, payloadBytes: Buffer.byteLength(json) }
  if (options.noSend) return result
  const sent = await sendCheckin(json, {
    server: config.server,
    transport: options.transport ?? config.transport ?? 'auto',
    retries: options.retries,
    retryDelaySeconds: options.retryDelaySeconds,
    userAgent: options.userAgent,
    logger: options.logger,
  })
  return { ...result, sent }
}
