/**
 * JSON text exactly as Python's `json.dumps(obj)` writes it with its defaults (what the
 * existing report_mirror client sends): `", "` and `": "` separators, keys in insertion
 * order, and every non-ASCII character escaped as `\uXXXX` (ensure_ascii).
 */
export type PythonJsonValue =
  | string
  | number
  | boolean
  | null
  | PythonJsonValue[]
  | { [key: string]: PythonJsonValue }
  // A Map keeps every key in insertion order; a JS object puts integer-like keys ("9") first.
  | ReadonlyMap<string, PythonJsonValue>

export function pythonJsonDumps(value: PythonJsonValue): string {
  if (typeof value === 'string') return quote(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('JSON has no NaN or Infinity')
    return String(value)
  }
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`
  const pairs = value instanceof Map ? [...value.entries()] : Object.entries(value)
  const entries = pairs.map(([key, item]) => `${quote(key)}: ${pythonJsonDumps(item)}`)
  return `{${entries.join(', ')}}`
}

function quote(text: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters as Python does
  // (\b \f \n \r \t, else \u00XX lower-case); only non-ASCII is left to do.
  // (Python escapes DEL too: everything outside space..tilde).
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
