import { ValidationError } from '../errors.js'
import { LIMITS, limitDnsName, limitText } from './text.js'

/** A non-empty name without control characters, trimmed, at most `max` bytes (text.ts). */
export function requireName(input: string, field = 'name', max: number = LIMITS.name): string {
  const name = input.trim()
  if (!name) throw new ValidationError(`${field} must not be empty`, { field })
  limitText(name, field, max)
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new ValidationError(`${field}: "${input}" contains control characters`, { field })
  return name
}

/** A host name: a DNS-sized name that may not contain "/" (it separates SITE/HOST) nor spaces. */
export function requireHostName(input: string, field = 'host name'): string {
  const name = requireName(input, field, LIMITS.dnsName)
  if (/[\s/]/.test(name)) throw new ValidationError(`${field}: "${input}" may not contain "/" or spaces; use the mirror's DNS name`, { field })
  if (/^\d+$/.test(name)) throw new ValidationError(`${field}: "${input}" is all digits, which would read as a host id`, { field })
  return limitDnsName(name, field)
}

/**
 * A path inside the master tree, relative to its top (e.g. pub/fedora/linux), stored
 * without trailing slashes. An absolute path (`/etc`) or one with `.`/`..` parts is
 * refused, not silently made relative.
 */
export function normalizeDirectoryPath(input: string, field = 'directory'): string {
  const trimmed = requireName(input, field, LIMITS.path)
  if (trimmed.startsWith('/')) {
    throw new ValidationError(`${field}: "${input}" is an absolute path; give the path relative to the top of the master tree, like pub/fedora/linux`, { field })
  }
  const path = trimmed.replace(/\/+$/g, '').replace(/\/{2,}/g, '/')
  if (!path || path.split('/').some((part) => part === '.' || part === '..')) {
    throw new ValidationError(`${field}: "${input}" is not a directory path like pub/fedora/linux`, { field })
  }
  return path
}
