import { uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { normalizeContinent, normalizeCountry } from '../validate/country.js'

/** Clients from `country` are treated as being on `continent` (e.g. IL -> EU). */
export interface CountryContinentRedirect {
  id: number
  country: string
  continent: string
}

export async function addCountryContinentRedirect(sql: Sql, country: string, continent: string): Promise<CountryContinentRedirect> {
  const code = normalizeCountry(country)
  const target = normalizeContinent(continent)
  const [redirect] = await uniquely(
    sql<CountryContinentRedirect[]>`insert into country_continent_redirect (country, continent) values (${code}, ${target}) returning *`,
    `country ${code} already has a continent redirect; remove it first`,
  )
  return redirect
}

export async function listCountryContinentRedirects(sql: Sql): Promise<CountryContinentRedirect[]> {
  return sql<CountryContinentRedirect[]>`select * from country_continent_redirect order by country`
}

export async function removeCountryContinentRedirect(sql: Sql, country: string): Promise<CountryContinentRedirect> {
  const code = normalizeCountry(country)
  const [removed] = await sql<CountryContinentRedirect[]>`delete from country_continent_redirect where country = ${code} returning *`
  if (!removed) throw new NotFoundError(`country ${code} has no continent redirect`)
  return removed
}
