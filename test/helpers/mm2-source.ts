/** A MirrorManager2 database on the test PostgreSQL server, built from test/fixtures. */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

export interface Mm2Database {
  url: string
  /** Runs SQL against the MirrorManager2 database (to change it between imports). */
  exec(query: string): Promise<void>
  drop(): Promise<void>
}

export async function createMm2Database(adminUrl: string): Promise<Mm2Database> {
  const name = `mm2_source_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const exec = async (query: string) => {
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {} })
    try {
      await sql.unsafe(query)
    } finally {
      await sql.end()
    }
  }
  await exec(readFileSync(join(FIXTURES, 'mm2-schema.sql'), 'utf8'))
  await exec(readFileSync(join(FIXTURES, 'mm2-installation.sql'), 'utf8'))
  return {
    url: url.toString(),
    exec,
    async drop() {
      const again = postgres(adminUrl, { max: 1, onnotice: () => {} })
      await again.unsafe(`drop database if exists ${name} with (force)`)
      await again.end()
    },
  }
}
