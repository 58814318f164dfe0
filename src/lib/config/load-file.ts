import { readFileSync } from 'node:fs'
import { parse } from 'smol-toml'
import { ConfigError } from '../errors.js'

export type ConfigTable = Record<string, unknown>

/**
 * Reads a TOML config file. A missing file is an error only when the user named it
 * (`required`); the default location may simply not exist.
 */
export function loadConfigFile(path: string, required: boolean): ConfigTable {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !required) return {}
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`, { cause: error })
  }
  try {
    return parse(text) as ConfigTable
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid TOML: ${(error as Error).message}`, { cause: error })
  }
}
