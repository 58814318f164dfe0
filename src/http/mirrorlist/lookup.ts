/**
 * The per-worker lookup tables the selection core consults (LookupContext minus the
 * per-request clock and random source): GeoIP, the global netblocks -> ASN table and the
 * country -> continent table. Loaded when the worker starts; on every reload a file whose
 * modification time changed is read again (a failure keeps the old table and is
 * reported). No GeoIP file configured is a warning; an unreadable configured file at
 * start is a ConfigError.
 */
import { statSync } from 'node:fs'
import type { LookupContext } from '../../lib/mirrorlist/answer.js'
import { continentLookup, loadCountryContinent } from '../../lib/geo/country-continent-file.js'
import { openGeoIp } from '../../lib/geo/geoip.js'
import { loadGlobalNetblocks } from '../../lib/netblocks/global-netblocks.js'
import type { Logger } from '../../lib/log.js'
import type { ServerOptions } from './options.js'

export type StaticLookup = Omit<LookupContext, 'now' | 'random'>

/** Which data a lookup table was loaded from and how old it is (start-up log, /metrics). */
export interface LookupData {
  source: string
  /** Epoch seconds the data was built (MMDB build epoch) or its file last written. */
  builtAt: number
}

const mtimeOf = (file: string) => {
  try {
    return statSync(file).mtimeMs
  } catch {
    return -1
  }
}

const ageInDays = (epochSeconds: number) => Math.max(0, Math.floor((Date.now() / 1000 - epochSeconds) / 86_400))

export class LookupTables {
  /** Read by the request handler on every request; refresh() replaces its members. */
  readonly lookup: StaticLookup
  private readonly loadedMtimes = new Map<string, number>()
  /** table name (geoip, global_netblocks) -> its data; updated in place on reloads. */
  readonly data: Record<string, LookupData> = {}

  constructor(
    private readonly options: ServerOptions,
    private readonly logger: Logger,
  ) {
    this.lookup = {
      countryOf: () => undefined,
      asnOf: () => undefined,
      continentOf: continentLookup(undefined),
      minimum: options.minimum,
      explain: options.debugSelection,
      familyFilter: options.familyFilter,
    }
  }

  async load(): Promise<void> {
    if (!this.options.geoip) {
      this.logger.warn('no GeoIP database configured (--geoip): clients are not located by country, only by netblock, ASN and country=')
    }
    for (const part of this.parts()) await this.loadPart(part.file, part.apply)
  }

  /** Re-reads the files that changed since they were loaded; returns what failed. */
  async refresh(): Promise<string[]> {
    const failures: string[] = []
    for (const part of this.parts()) {
      if (mtimeOf(part.file) === this.loadedMtimes.get(part.file)) continue
      try {
        await this.loadPart(part.file, part.apply)
        this.logger.info(`reloaded ${part.file}`)
      } catch (error) {
        failures.push((error as Error).message)
      }
    }
    return failures
  }

  private parts(): { file: string; apply: () => Promise<void> }[] {
    const { geoip, globalNetblocks, countryContinent } = this.options
    const parts: { file: string; apply: () => Promise<void> }[] = []
    if (geoip) {
      parts.push({
        file: geoip,
        apply: async () => {
          const database = await openGeoIp(geoip)
          this.lookup.countryOf = database.countryOfAddress
          this.data.geoip = { source: geoip, builtAt: database.builtAt }
          this.logger.info(`GeoIP: ${database.description}, ${ageInDays(database.builtAt)} days old`)
        },
      })
    }
    if (globalNetblocks) {
      parts.push({
        file: globalNetblocks,
        apply: async () => {
          const table = await loadGlobalNetblocks(globalNetblocks, {
            compactCopy: this.options.globalNetblocksCopy,
            warn: (message) => this.logger.warn(message),
          })
          if (table.skippedLines > 0) this.logger.warn(`${globalNetblocks}: ${table.skippedLines} malformed lines skipped`)
          this.lookup.asnOf = table.asnOf
          const builtAt = Math.round(mtimeOf(globalNetblocks) / 1000)
          this.data.global_netblocks = { source: globalNetblocks, builtAt }
          this.logger.info(`global netblocks: ${table.entries} prefixes from ${globalNetblocks}${table.fromCompactCopy ? ' (its compact copy)' : ''}, ${ageInDays(builtAt)} days old`)
        },
      })
    }
    if (countryContinent) {
      parts.push({
        file: countryContinent,
        apply: async () => {
          const table = await loadCountryContinent(countryContinent)
          if (table.skippedLines > 0) this.logger.warn(`${countryContinent}: ${table.skippedLines} malformed lines skipped`)
          this.lookup.continentOf = continentLookup(table)
        },
      })
    }
    return parts
  }

  private async loadPart(file: string, apply: () => Promise<void>): Promise<void> {
    const mtime = mtimeOf(file)
    await apply()
    this.loadedMtimes.set(file, mtime)
  }
}
