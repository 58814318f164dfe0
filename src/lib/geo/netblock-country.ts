import { uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { normalizeCountry } from '../validate/country.js'
import { normalizeNetblock } from '../validate/netblock.js'

/** Overrides GeoIP: clients in `netblock` are from `country`. Any size is allowed. */
export interface NetblockCountry {
  id: number
  netblock: string
  country: string
}

export async function addNetblockCountry(sql: Sql, netblock: string, country: string): Promise<NetblockCountry> {
  const cidr = normalizeNetblock(netblock, { limitSize: false })
  const code = normalizeCountry(country)
  const [row] = await uniquely(
    sql<NetblockCountry[]>`insert into netblock_country (netblock, country) values (${cidr}, ${code}) returning *`,
    `netblock ${cidr} is already mapped to a country; remove it first`,
  )
  return row
}

export async function listNetblockCountries(sql: Sql): Promise<NetblockCountry[]> {
  return sql<NetblockCountry[]>`select * from netblock_country order by country, netblock`
}

export async function removeNetblockCountry(sql: Sql, netblock: string): Promise<NetblockCountry> {
  const cidr = normalizeNetblock(netblock, { limitSize: false })
  const [removed] = await sql<NetblockCountry[]>`delete from netblock_country where netblock = ${cidr} returning *`
  if (!removed) throw new NotFoundError(`netblock ${cidr} is not mapped to a country`)
  return removed
}
