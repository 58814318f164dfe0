import { ValidationError } from '../errors.js'

const INT32_MAX = 2 ** 31 - 1
const UINT32_MAX = 2 ** 32 - 1

function parseWhole(input: string | number, field: string, what: string): number {
  const text = String(input).trim()
  if (!/^\d+$/.test(text)) throw new ValidationError(`${field}: "${input}" is not ${what}`, { field })
  return Number(text)
}

/** A positive integer that fits the database's integer columns (bandwidth, connections). */
export function positiveInteger(input: string | number, field: string): number {
  const value = parseWhole(input, field, 'a positive whole number')
  if (value < 1 || value > INT32_MAX) {
    throw new ValidationError(`${field}: ${input} is out of range; give a whole number from 1 to ${INT32_MAX}`, { field })
  }
  return value
}

/** An autonomous system number: 1 .. 2^32-1 (as plain digits, or "AS64500"). */
export function autonomousSystemNumber(input: string | number, field = 'asn'): number {
  const value = parseWhole(String(input).replace(/^AS/i, ''), field, 'an AS number (1 to 4294967295, e.g. 64500)')
  if (value < 1 || value > UINT32_MAX) {
    throw new ValidationError(`${field}: ${input} is out of range; an AS number is from 1 to ${UINT32_MAX}`, { field })
  }
  return value
}

/** Any whole number, possibly negative (sort orders). */
export function integer(input: string | number, field: string): number {
  const text = String(input).trim()
  if (!/^-?\d+$/.test(text) || Math.abs(Number(text)) > INT32_MAX) {
    throw new ValidationError(`${field}: "${input}" is not a whole number`, { field })
  }
  return Number(text)
}
