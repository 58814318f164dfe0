import { ValidationError } from '../errors.js'
import { continentNames, isContinentCode, isCountryCode, type ContinentCode } from '../geo/countries.js'

/** An ISO 3166-1 alpha-2 country code in any case -> upper case; anything else is rejected. */
export function normalizeCountry(input: string, field = 'country'): string {
  const code = input.trim().toUpperCase()
  if (!isCountryCode(code)) {
    const hint = code === 'UK' ? ' (the United Kingdom is GB)' : ''
    throw new ValidationError(
      `${field}: "${input}" is not an ISO 3166-1 alpha-2 country code${hint}; use two letters such as US, DE or JP`,
      { field },
    )
  }
  return code
}

/** A MaxMind continent code (AF, AN, AS, EU, NA, OC, SA) in any case -> upper case. */
export function normalizeContinent(input: string, field = 'continent'): ContinentCode {
  const code = input.trim().toUpperCase()
  if (!isContinentCode(code)) {
    throw new ValidationError(`${field}: "${input}" is not a continent code; use one of ${[...continentNames.keys()].join(', ')}`, { field })
  }
  return code
}
