// Resolve hook for compiled tests: <root>/src/**/*.js (absent) -> <root>/dist/**/*.js.
import { fileURLToPath, pathToFileURL } from 'node:url'
import { existsSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const src = join(root, 'src') + sep

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && context.parentURL?.startsWith('file:')) {
    const path = fileURLToPath(new URL(specifier, context.parentURL))
    if (path.startsWith(src) && path.endsWith('.js') && !existsSync(path)) {
      return next(pathToFileURL(join(root, 'dist', relative(src, path))).href, context)
    }
  }
  return next(specifier, context)
}
