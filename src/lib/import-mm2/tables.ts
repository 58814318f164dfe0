import { convertNetblock } from './netblock.js'
import { parseLegacyFileList } from './file-list.js'
import { RowSkip, type ColumnSpec, type TableSpec, type TargetRow } from './table-spec.js'

/**
 * Every MirrorManager2 table a user would miss, in an order where parents come before
 * the rows that reference them. Ids are kept (operators know their hosts by id) except
 * for the statistics tables, which MirrorManager2 keys by their natural key.
 */

const id: ColumnSpec = { target: 'id' }
const col = (target: string, fallback?: unknown, source?: string): ColumnSpec => ({ target, fallback, source })
const required = (target: string): ColumnSpec => ({ target, required: true })
const host = { column: 'host_id', table: 'host', required: true }

const country = (value: unknown) => String(value ?? '').trim().toUpperCase()
const validCountry = (value: string) => /^[A-Z0-9]{2}$/.test(value)

function withCountry(column: string, row: TargetRow): TargetRow | RowSkip {
  const code = country(row[column])
  return validCountry(code) ? { ...row, [column]: code } : new RowSkip(`invalid country code in ${column}`, String(row[column]))
}

function withNetblock(row: TargetRow): TargetRow | RowSkip {
  const converted = convertNetblock(row.netblock as string | null)
  return 'invalid' in converted ? new RowSkip('invalid netblock', converted.invalid) : { ...row, netblock: converted.netblock }
}

const positive = (value: unknown, fallback: number) => (Number(value) > 0 ? Math.min(Number(value), 2 ** 31 - 1) : fallback)

export const importTables: TableSpec[] = [
  { source: 'product', target: 'product', tracked: true, orderBy: ['id'], columns: [id, required('name'), col('publiclist', true)] },
  {
    source: 'arch',
    target: 'arch',
    tracked: true,
    orderBy: ['id'],
    columns: [id, required('name'), col('publiclist', true), col('primary_arch', true)],
  },
  {
    source: 'version',
    target: 'version',
    tracked: true,
    orderBy: ['id'],
    references: [{ column: 'product_id', table: 'product', required: true }],
    columns: [
      id, col('product_id'), required('name'), col('is_test', false), col('display', true), col('display_name'),
      col('ordered_mirrorlist', false), col('sortorder', 0), col('codename'),
    ],
  },
  {
    source: 'directory',
    target: 'directory',
    tracked: true,
    orderBy: ['id'],
    columns: [id, required('name'), col('ctime', 0), col('readable', true), col('files', null)],
    transform(row) {
      const list = parseLegacyFileList(row.files as string | null)
      // Without its file list, ctime 0 makes the next umdl run read the directory again.
      // The value goes to a jsonb column: postgres.js serialises it (no JSON.stringify here).
      if ('files' in list) return { ...row, files: list.files }
      return { ...row, files: [], ctime: 0 }
    },
    note(row, source) {
      const list = parseLegacyFileList(source.files as string | null)
      if ('pickled' in list) return new RowSkip('pickled file list skipped (directory imported, umdl re-reads it)', row.name as string)
      if ('invalid' in list) return new RowSkip(`${list.invalid} (directory imported, umdl re-reads it)`, row.name as string)
      return undefined
    },
  },
  {
    source: 'category',
    target: 'category',
    tracked: true,
    orderBy: ['id'],
    references: [
      { column: 'product_id', table: 'product', required: false },
      { column: 'topdir_id', table: 'directory', required: false },
    ],
    columns: [
      id, required('name'), col('product_id'), col('topdir_id'), col('canonical_host', null, 'canonicalhost'),
      col('publiclist', true), col('geo_dns_domain'), col('admin_only', false),
    ],
  },
  {
    source: 'category_directory',
    target: 'category_directory',
    orderBy: ['category_id', 'directory_id'],
    references: [
      { column: 'category_id', table: 'category', required: true },
      { column: 'directory_id', table: 'directory', required: true },
    ],
    columns: [col('category_id'), col('directory_id')],
  },
  {
    source: 'site',
    target: 'site',
    tracked: true,
    orderBy: ['id'],
    columns: [
      id, required('name'), col('password_hash', null, 'password'), col('org_url'), col('private', false), col('admin_active', true),
      col('user_active', true), col('created_at', new Date(0)), col('created_by'), col('all_sites_can_pull_from_me', false),
      col('downstream_comments'), col('email_on_drop', false), col('email_on_add', false),
    ],
    transform: (row, _source, context) => ({ ...row, password_hash: context.passwordHashes.get(row.id as number) ?? null }),
  },
  {
    source: 'site_admin',
    target: 'site_admin',
    orderBy: ['id'],
    references: [{ column: 'site_id', table: 'site', required: true }],
    columns: [id, col('site_id'), col('username')],
    transform: (row) => (row.username ? row : new RowSkip('site admin without a user name')),
  },
  {
    source: 'host',
    target: 'host',
    tracked: true,
    orderBy: ['id'],
    references: [{ column: 'site_id', table: 'site', required: true }],
    columns: [
      id, col('site_id'), required('name'), col('robot_email'), col('admin_active', true), col('user_active', true), col('country'),
      col('bandwidth_int', 100), col('comment'), col('private', false), col('internet2', false), col('internet2_clients', false),
      col('asn'), col('asn_clients', true), col('max_connections', 1), col('latitude'), col('longitude'),
      col('last_checked_in'), col('last_crawled'), col('last_crawl_duration'), col('crawl_failures', 0), col('disable_reason'),
    ],
    transform(row) {
      const adjusted = {
        ...row,
        bandwidth_int: positive(row.bandwidth_int, 100),
        max_connections: positive(row.max_connections, 1),
        asn: Number(row.asn) > 0 ? row.asn : null,
        last_crawl_duration: row.last_crawl_duration === null ? null : positive(row.last_crawl_duration, 0),
      }
      return withCountry('country', adjusted)
    },
  },
  {
    source: 'host_country_allowed',
    target: 'host_country_allowed',
    orderBy: ['id'],
    references: [host],
    columns: [id, col('host_id'), col('country')],
    transform: (row) => withCountry('country', row),
  },
  {
    source: 'host_netblock',
    target: 'host_netblock',
    orderBy: ['id'],
    references: [host],
    columns: [id, col('host_id'), col('netblock'), col('name')],
    transform: withNetblock,
  },
  {
    source: 'host_peer_asn',
    target: 'host_peer_asn',
    orderBy: ['id'],
    references: [host],
    columns: [id, col('host_id'), required('asn'), col('name')],
    transform: (row) => (Number(row.asn) > 0 ? row : new RowSkip('invalid peer ASN', String(row.asn))),
  },
  {
    source: 'host_acl_ip',
    target: 'host_acl_ip',
    orderBy: ['id'],
    references: [host],
    columns: [id, col('host_id'), col('ip')],
    transform: (row) => (row.ip ? { ...row, ip: String(row.ip).trim() } : new RowSkip('empty ACL entry')),
  },
  {
    source: 'host_category',
    target: 'host_category',
    tracked: true,
    orderBy: ['id'],
    references: [host, { column: 'category_id', table: 'category', required: true }],
    columns: [id, col('host_id'), col('category_id'), col('always_up2date', false)],
  },
  {
    source: 'host_category_url',
    target: 'host_category_url',
    orderBy: ['id'],
    references: [{ column: 'host_category_id', table: 'host_category', required: true }],
    columns: [id, col('host_category_id'), col('url'), col('private', false)],
    transform: (row) => (row.url ? { ...row, url: String(row.url).trim().replace(/\/+$/, '') } : new RowSkip('empty URL')),
  },
  {
    source: 'host_category_dir',
    target: 'host_category_dir',
    orderBy: ['id'],
    references: [
      { column: 'host_category_id', table: 'host_category', required: true },
      { column: 'directory_id', table: 'directory', required: true },
    ],
    columns: [id, col('host_category_id'), col('directory_id'), col('path', ''), col('up2date', false)],
  },
  {
    source: 'repository',
    target: 'repository',
    tracked: true,
    orderBy: ['id'],
    references: [
      { column: 'category_id', table: 'category', required: true },
      { column: 'directory_id', table: 'directory', required: true },
      { column: 'version_id', table: 'version', required: false },
      { column: 'arch_id', table: 'arch', required: false },
    ],
    columns: [id, col('name'), col('prefix'), col('category_id'), col('version_id'), col('arch_id'), col('directory_id'), col('disabled', false)],
    transform: (row) => (row.name ? row : { ...row, name: row.prefix ?? `repository ${row.id}` }),
  },
  {
    source: 'file_detail',
    target: 'file_detail',
    orderBy: ['id'],
    references: [{ column: 'directory_id', table: 'directory', required: true }],
    columns: [id, col('directory_id'), required('filename'), col('timestamp'), col('size'), col('md5'), col('sha1'), col('sha256'), col('sha512')],
  },
  {
    source: 'repository_redirect',
    target: 'repository_redirect',
    orderBy: ['id'],
    columns: [id, required('from_repo'), col('to_repo')],
    transform: (row) => (row.to_repo ? row : new RowSkip('redirect without a target', String(row.from_repo))),
  },
  {
    source: 'country_continent_redirect',
    target: 'country_continent_redirect',
    orderBy: ['id'],
    columns: [id, col('country'), col('continent')],
    transform: (row) => {
      const checked = withCountry('country', row)
      return checked instanceof RowSkip ? checked : withCountry('continent', checked)
    },
  },
  {
    source: 'embargoed_country',
    target: 'embargoed_country',
    orderBy: ['id'],
    columns: [id, col('country_code')],
    transform: (row) => withCountry('country_code', row),
  },
  {
    source: 'netblock_country',
    target: 'netblock_country',
    orderBy: ['id'],
    columns: [id, required('netblock'), col('country')],
    transform: (row) => {
      const checked = withNetblock(row)
      return checked instanceof RowSkip ? checked : withCountry('country', checked)
    },
  },
  {
    source: 'propagation_stat',
    target: 'propagation_stat',
    orderBy: ['repository_id', 'datetime'],
    references: [{ column: 'repository_id', table: 'repository', required: true }],
    columns: [col('repository_id'), required('datetime'), col('same_day', 0), col('one_day', 0), col('two_day', 0), col('older', 0), col('no_info', 0)],
  },
  { source: 'access_stat_category', target: 'access_stat_category', tracked: true, orderBy: ['id'], columns: [id, required('name')] },
  {
    source: 'access_stat',
    target: 'access_stat',
    orderBy: ['category_id', 'date', 'name'],
    references: [{ column: 'category_id', table: 'access_stat_category', required: true }],
    columns: [col('category_id'), required('date'), required('name'), col('percent'), col('requests')],
  },
]
