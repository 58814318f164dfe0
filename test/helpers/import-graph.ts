/**
 * The import graph of src/, read from the source files (a static check: no module is
 * loaded). TypeScript's own pre-processor lists each file's imports — static, `import
 * type`, `export … from` and `import()` — so comments and strings cannot fool it.
 * Only relative imports are followed: packages are outside the house.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

export interface ImportEdge {
  /** Both paths relative to the repository root, e.g. `src/lib/db/connect.ts`. */
  from: string
  to: string
  /** The specifier as written, e.g. `../errors.js`. */
  specifier: string
}

export interface ImportGraph {
  files: string[]
  edges: ImportEdge[]
  /** file → the files it imports */
  imports: Map<string, string[]>
}

function sourceFiles(dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...sourceFiles(path))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path)
  }
  return files
}

/** `./x.js` written in a .ts file names `./x.ts` (NodeNext resolution). */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier)
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate
  }
  return undefined
}

export function readImportGraph(root: string, under = 'src'): ImportGraph {
  const files = sourceFiles(join(root, under)).sort()
  const edges: ImportEdge[] = []
  const imports = new Map<string, string[]>()
  for (const file of files) {
    const from = relative(root, file)
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const targets: string[] = []
    for (const { fileName: specifier } of info.importedFiles) {
      if (!specifier.startsWith('.')) continue
      const target = resolveSpecifier(file, specifier)
      if (!target) throw new Error(`${from}: import '${specifier}' names no source file`)
      const to = relative(root, target)
      edges.push({ from, to, specifier })
      if (!targets.includes(to)) targets.push(to)
    }
    imports.set(from, targets)
  }
  return { files: files.map((f) => relative(root, f)), edges, imports }
}

/**
 * Every import circle, each as one path that closes on itself (a → b → … → a): one per
 * strongly connected component of more than one file (Tarjan), or a file importing itself.
 */
export function importCircles(graph: ImportGraph): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const visit = (node: string): void => {
    index.set(node, counter)
    low.set(node, counter)
    counter++
    stack.push(node)
    onStack.add(node)
    for (const next of graph.imports.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!))
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      const selfImport = (graph.imports.get(node) ?? []).includes(node)
      if (component.length > 1 || selfImport) components.push(component)
    }
  }
  for (const file of graph.files) if (!index.has(file)) visit(file)
  return components.map((component) => circleThrough(graph, new Set(component), component.sort()[0]))
}

/** A shortest path from `start` back to itself inside one component (breadth first). */
function circleThrough(graph: ImportGraph, members: Set<string>, start: string): string[] {
  const previous = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const node = queue.shift()!
    for (const next of graph.imports.get(node) ?? []) {
      if (!members.has(next)) continue
      if (next === start) {
        const path = [node]
        while (path[0] !== start) path.unshift(previous.get(path[0])!)
        return [...path, start]
      }
      if (!previous.has(next)) {
        previous.set(next, node)
        queue.push(next)
      }
    }
  }
  return [start, start]
}

/** The files reachable from `start` by imports (itself included), each with the path that reaches it. */
export function reachableFrom(graph: ImportGraph, start: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[start, [start]]])
  const queue = [start]
  while (queue.length > 0) {
    const node = queue.shift()!
    for (const next of graph.imports.get(node) ?? []) {
      if (paths.has(next)) continue
      paths.set(next, [...paths.get(node)!, next])
      queue.push(next)
    }
  }
  return paths
}
