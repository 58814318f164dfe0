import { ValidationError } from '../errors.js'

/** A non-empty name without control characters, trimmed. */
export function requireName(input: string, field = 'name'): string {
  const name = input.trim()
  if (!name) throw new ValidationError(`${field} must not be empty`, { field })
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new ValidationError(`${field}: "${input}" contains control characters`, { field })
  return name
}

/** A host name: a name that may not contain "/" (it separates SITE/HOST) nor spaces. */
export function requireHostName(input: string, field = 'host name'): string {
  const name = requireName(input, field)
  if (/[\s/]/.test(name)) throw new ValidationError(`${field}: "${input}" may not contain "/" or spaces; use the mirror's DNS name`, { field })
  if (/^\d+$/.test(name)) throw new ValidationError(`${field}: "${input}" is all digits, which would read as a host id`, { field })
  return name
}

/** A path inside the master tree, stored without leading or trailing slashes. */
export function normalizeDirectoryPath(input: string, field = 'directory'): string {
  const path = requireName(input, field).replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/')
  if (!path || path.split('/').some((part) => part === '.' || part === '..')) {
    throw new ValidationError(`${field}: "${input}" is not a directory path like pub/fedora/linux`, { field })
  }
  return path
}
