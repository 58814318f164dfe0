/** The configured umdl categories and their sources, for `umdl --list`. */
import type { ResolvedConfig } from '../config/resolve.js'
import { describeSource, loadUmdlConfig } from './config.js'

export interface ConfiguredCategory {
  name: string
  sources: string[]
}

export function listUmdlSources(config: ResolvedConfig): ConfiguredCategory[] {
  return loadUmdlConfig(config).categories.map((category) => ({ name: category.name, sources: category.sources.map(describeSource) }))
}
