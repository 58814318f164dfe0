import { definedChanges, uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { requireName } from '../validate/name.js'
import { referenceId } from '../validate/reference.js'

export interface Arch {
  id: number
  name: string
  publiclist: boolean
  primaryArch: boolean
}

export interface ArchChanges {
  name?: string
  publiclist?: boolean
  primaryArch?: boolean
}

export async function addArch(sql: Sql, input: { name: string; publiclist?: boolean; primaryArch?: boolean }): Promise<Arch> {
  const name = requireName(input.name, 'arch name')
  const [arch] = await uniquely(
    sql<Arch[]>`insert into arch (name, publiclist, primary_arch)
      values (${name}, ${input.publiclist ?? true}, ${input.primaryArch ?? false}) returning *`,
    `arch "${name}" already exists`,
  )
  return arch
}

export async function listArches(sql: Sql): Promise<Arch[]> {
  return sql<Arch[]>`select * from arch order by name`
}

export async function getArch(sql: Sql, name: string): Promise<Arch> {
  const [arch] = await sql<Arch[]>`select * from arch where name = ${name} or id = ${referenceId(name)} order by name = ${name} desc limit 1`
  if (!arch) throw new NotFoundError(`no arch named "${name}" (see \`mirrormanager arch list\`)`)
  return arch
}

export async function updateArch(sql: Sql, name: string, changes: ArchChanges): Promise<Arch> {
  const set = definedChanges({ ...changes, name: changes.name === undefined ? undefined : requireName(changes.name, 'arch name') })
  const arch = await getArch(sql, name)
  if (Object.keys(set).length === 0) return arch
  const [updated] = await uniquely(
    sql<Arch[]>`update arch set ${sql(set)} where id = ${arch.id} returning *`,
    `arch "${set.name}" already exists`,
  )
  return updated
}

/** Removes an arch; refused while repositories use it. */
export async function removeArch(sql: Sql, name: string): Promise<Arch> {
  const arch = await getArch(sql, name)
  const [{ count }] = await sql<{ count: number }[]>`select count(*)::int as count from repository where arch_id = ${arch.id}`
  if (count > 0) throw new ConflictError(`arch "${name}" is used by ${count} repositor${count === 1 ? 'y' : 'ies'}; remove those first`)
  await sql`delete from arch where id = ${arch.id}`
  return arch
}
