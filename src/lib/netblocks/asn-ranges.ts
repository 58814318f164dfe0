/**
 * The offline alternative to routing dumps: IP range -> ASN CSV files as published in the
 * npm package @ip-location-db/asn (CC-BY-4.0; RouteViews and DB-IP data, attribution in
 * README "Geolocation data"): `ip_range_start,ip_range_end,as_number,as_organization`
 * lines, files asn-ipv4.csv and asn-ipv6.csv. Each range becomes the smallest list of
 * CIDR blocks covering exactly it.
 *
 * The package is ~65 MB unpacked, so it is not a dependency: the operator installs it
 * (`npm install @ip-location-db/asn` beside mirrormanager) and it is found at run time.
 */
import { createReadStream, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { ConfigError, ValidationError } from '../errors.js'
import { parseIp } from './ip.js'
import type { NetblockTable } from './netblock-table.js'

export const ASN_PACKAGE = '@ip-location-db/asn'

/** The package's CSV files, or a ConfigError saying how to install it. */
export function asnPackageFiles(): string[] {
  let manifest: string
  try {
    manifest = createRequire(import.meta.url).resolve(`${ASN_PACKAGE}/package.json`)
  } catch (error) {
    throw new ConfigError(
      `--from-asn-package: the npm package ${ASN_PACKAGE} is not installed (it is large and optional): run "npm install ${ASN_PACKAGE}" where mirrormanager is installed, or give --asn-csv files`,
      { key: 'netblocks.asn_package', cause: error },
    )
  }
  const files = ['asn-ipv4.csv', 'asn-ipv6.csv'].map((name) => join(dirname(manifest), name)).filter((file) => existsSync(file))
  if (files.length === 0) throw new ConfigError(`${ASN_PACKAGE} at ${dirname(manifest)} has no asn-ipv4.csv or asn-ipv6.csv`, { key: 'netblocks.asn_package' })
  return files
}

function toBigInt(words: readonly number[]): bigint {
  let value = 0n
  for (const word of words) value = (value << 32n) | BigInt(word)
  return value
}

function toWords(value: bigint, count: number): number[] {
  const words: number[] = []
  for (let i = count - 1; i >= 0; i--) words.push(Number((value >> BigInt(i * 32)) & 0xffffffffn))
  return words
}

/** The CIDR blocks (network, length) covering exactly [start, end], largest first at each step. */
export function rangeToCidrs(start: bigint, end: bigint, bits: number): { network: bigint; length: number }[] {
  const blocks: { network: bigint; length: number }[] = []
  let current = start
  while (current <= end) {
    // The largest block aligned at `current` that does not pass `end`.
    let size = 0
    while (size < bits && (current & ((1n << BigInt(size + 1)) - 1n)) === 0n && current + (1n << BigInt(size + 1)) - 1n <= end) size++
    blocks.push({ network: current, length: bits - size })
    current += 1n << BigInt(size)
  }
  return blocks
}

/** Adds every range of one CSV file to the table; returns how many blocks it added. */
export async function readAsnRangeCsv(file: string, table: NetblockTable): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
  let number = 0
  let blocks = 0
  for await (const line of lines) {
    number++
    if (line === '' || line.startsWith('#')) continue
    const [first, last, asText] = line.split(',', 3)
    const start = parseIp(first ?? '')
    const end = parseIp(last ?? '')
    const asn = Number(asText)
    if (!start || !end || start.family !== end.family || !/^\d+$/.test(asText ?? '') || asn < 1 || asn > 0xffffffff) {
      if (number === 1) continue // a header line
      throw new ValidationError(`${file} line ${number}: not "start,end,asn,...": ${line.slice(0, 80)}`, { field: 'asn-csv' })
    }
    const bits = start.family === 4 ? 32 : 128
    const from = toBigInt(start.words)
    const to = toBigInt(end.words)
    if (to < from) throw new ValidationError(`${file} line ${number}: the range ends before it starts`, { field: 'asn-csv' })
    for (const block of rangeToCidrs(from, to, bits)) {
      table.add({ family: start.family, words: toWords(block.network, bits / 32), prefixLength: block.length }, asn)
      blocks++
    }
  }
  return blocks
}
