// The crawl benchmarks' database: a category of DIRS directories (+1 repodata per
// REPODATA_EVERY, with its repomd.xml sha256) and MIRRORS hosts /m<i> on the server.js
// port. Shared by run.js and workers.js.
import { resolveConfig } from '../../dist/lib/config/resolve.js'
import { openDatabase } from '../../dist/lib/db/connect.js'

export async function setUpDatabase(env, { MIRRORS, DIRS, REPODATA_EVERY, CONNECTIONS, port }) {
  process.stderr.write('setting up the database...\n')
  const database = await openDatabase(resolveConfig({ env, configFile: '/dev/null' }), { migrate: true })
  const sql = database.sql
  await sql.begin(async (tx) => {
    await tx`insert into directory (name, files) values ('pub/bench', '[{"name":"fullfiletimelist-bench","size":1,"timestamp":0}]')`
    await tx`insert into directory (name, files)
      select 'pub/bench/d' || j, jsonb_build_array(jsonb_build_object('name', 'p' || j || '.rpm', 'size', 1000 + j, 'timestamp', 0))
      from generate_series(0, ${DIRS - 1}) j`
    await tx`insert into directory (name, files)
      select 'pub/bench/d' || j || '/repodata',
             jsonb_build_array(jsonb_build_object('name', 'repomd.xml', 'size', octet_length('<repomd><revision>new-' || j || '</revision></repomd>' || chr(10)), 'timestamp', 0))
      from generate_series(0, ${DIRS - 1}) j where j % ${REPODATA_EVERY} = 0`
    await tx`insert into file_detail (directory_id, filename, timestamp, sha256)
      select d.id, 'repomd.xml', 1731412300, encode(sha256(convert_to('<repomd><revision>new-' || substring(d.name from 'd(\\d+)/repodata') || '</revision></repomd>' || chr(10), 'UTF8')), 'hex')
      from directory d where d.name like '%/repodata'`
    await tx`insert into category (name, topdir_id) select 'Bench', id from directory where name = 'pub/bench'`
    await tx`insert into category_directory (category_id, directory_id) select c.id, d.id from category c, directory d where d.name like 'pub/bench%'`
    await tx`insert into site (name) select 'site' || i from generate_series(0, ${MIRRORS - 1}) i`
    await tx`insert into host (site_id, name, country, max_connections) select id, 'm' || substr(name, 5), 'SE', ${CONNECTIONS} from site`
    await tx`insert into host_category (host_id, category_id) select h.id, c.id from host h, category c`
    await tx`insert into host_category_url (host_category_id, url)
      select hc.id, ${`http://127.0.0.1:${port}/`} || h.name from host_category hc join host h on h.id = hc.host_id`
  })
  await database.close()
  process.stderr.write('database ready\n')
}
