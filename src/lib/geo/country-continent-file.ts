/**
 * The `--country-continent FILE` override of the built-in country -> continent table:
 * one `<country> <continent>` pair per line (whitespace or a comma between them), `#`
 * comments and blank lines allowed. A malformed line is skipped and counted, never fatal.
 */
import { readFile } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import { continentOfCountry } from './countries.js'

export interface CountryContinentTable {
  overrides: ReadonlyMap<string, string>
  skippedLines: number
}

export function parseCountryContinent(text: string): CountryContinentTable {
  const overrides = new Map<string, string>()
  let skippedLines = 0
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim()
    if (line === '') continue
    const fields = line.split(/[\s,]+/)
    if (fields.length !== 2 || !/^[A-Za-z0-9]{2}$/.test(fields[0]) || !/^[A-Za-z]{2}$/.test(fields[1])) {
      skippedLines++
      continue
    }
    overrides.set(fields[0].toUpperCase(), fields[1].toUpperCase())
  }
  return { overrides, skippedLines }
}

export async function loadCountryContinent(file: string): Promise<CountryContinentTable> {
  try {
    return parseCountryContinent(await readFile(file, 'utf8'))
  } catch (error) {
    throw new ConfigError(`country-continent file ${file}: ${(error as Error).message}`, { key: 'mirrorlist.country_continent', cause: error })
  }
}

/** The lookup the selection core calls: the file's line if it has one, else the built-in table. */
export function continentLookup(table: CountryContinentTable | undefined): (country: string) => string | undefined {
  if (!table || table.overrides.size === 0) return (country) => continentOfCountry(country)
  return (country) => table.overrides.get(country.toUpperCase()) ?? continentOfCountry(country)
}
