/** Helpers for the admin tests: a full dump of the admin tables, and a CLI runner that asserts exit statuses. */
import type { Sql } from '../../src/lib/db/sql.js'
import { runCli, type CliResult } from './cli.js'

export const ADMIN_TABLES = ['product', 'version', 'arch', 'category', 'directory', 'category_directory', 'site', 'site_admin', 'host',
  'host_category', 'host_category_url', 'host_netblock', 'host_peer_asn', 'host_country_allowed', 'host_acl_ip', 'repository',
  'repository_redirect', 'country_continent_redirect', 'netblock_country'] as const

/** Every row of every admin table, in id order: equal dumps mean an unchanged database. */
export async function dumpAdminTables(sql: Sql): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {}
  for (const table of ADMIN_TABLES) dump[table] = await sql.unsafe(`select * from ${table} order by 1, 2`)
  return dump
}

interface Assert {
  equal(found: unknown, wanted: unknown, message: string): unknown
}

/** Runs `mirrormanager ...args` with `env`, asserts the exit status, and parses --json output when present. */
export function cliRunner(t: Assert, env: Record<string, string>) {
  return async function mm<T = any>(args: string[], status = 0, input?: string): Promise<CliResult & { json: T }> {
    const result = await runCli(args, { env, input })
    t.equal(result.status, status, `${args.join(' ')} -> exit ${status}${result.status === status ? '' : `\n${result.stdout}\n${result.stderr}`}`)
    let json: T = undefined as T
    if (args.includes('--json') && result.stdout.trim()) json = JSON.parse(result.stdout) as T
    return { ...result, json }
  }
}
