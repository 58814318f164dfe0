/**
 * `netblocks global` and `netblocks internet2`: routing dumps (and, offline, ASN range
 * files) in, one prefix -> ASN table file out. Sources are read one after the other,
 * each streamed through the MRT reader; the table is installed only when every source
 * was read to its end without error.
 */
import type { Logger } from '../log.js'
import { readAsnRangeCsv } from './asn-ranges.js'
import { openDump, resolveSource, type DumpSourceOptions } from './dump-source.js'
import { MrtReader, type MrtStatistics } from './mrt-reader.js'
import { installNetblockTable, NetblockTable, type NetblockTableCounts } from './netblock-table.js'

export interface BuildTableOptions extends DumpSourceOptions {
  sources: readonly string[]
  output: string
  exclude: readonly string[]
  maxShrink: number
  force?: boolean
  /** IP range -> ASN CSV files (@ip-location-db/asn format), read after the dumps. */
  asnCsvFiles?: readonly string[]
  logger: Logger
}

export interface SourceReport {
  source: string
  /** The URL or file read (after date placeholders and directory listings). */
  resolved: string
  statistics?: MrtStatistics
  entries?: number
}

export interface BuildTableResult {
  output: string
  entries: number
  previousEntries: number
  counts: NetblockTableCounts
  sources: SourceReport[]
}

/** Streams one dump into the table. */
export async function readDumpInto(table: NetblockTable, resolved: string, options: DumpSourceOptions = {}): Promise<MrtStatistics> {
  const reader = new MrtReader((route) => table.addPrefixBytes(route.family, route.prefix, route.length, route.origin))
  for await (const chunk of openDump(resolved, options)) reader.push(chunk)
  return reader.end()
}

export async function buildNetblockTable(options: BuildTableOptions): Promise<BuildTableResult> {
  const table = new NetblockTable(options.exclude)
  const sources: SourceReport[] = []
  for (const source of options.sources) {
    const resolved = await resolveSource(source, options)
    options.logger.info(`reading ${resolved}`)
    const statistics = await readDumpInto(table, resolved, options)
    options.logger.info(`${resolved}: ${statistics.routes} prefixes in ${statistics.records} records (${statistics.bytes} bytes); table now ${table.size} prefixes`)
    sources.push({ source, resolved, statistics })
  }
  for (const file of options.asnCsvFiles ?? []) {
    const entries = await readAsnRangeCsv(file, table)
    options.logger.info(`${file}: ${entries} blocks from ASN ranges; table now ${table.size} prefixes`)
    sources.push({ source: file, resolved: file, entries })
  }
  const installed = await installNetblockTable(table, options.output, { maxShrink: options.maxShrink, force: options.force })
  options.logger.info(
    `${options.output}: ${installed.entries} prefixes (${table.counts.ipv4} IPv4, ${table.counts.ipv6} IPv6; was ${installed.previousEntries}); ${table.counts.duplicates} duplicates, ${table.counts.excluded} excluded, ${table.counts.withoutOrigin} without origin AS`,
  )
  return { output: options.output, ...installed, counts: table.counts, sources }
}
