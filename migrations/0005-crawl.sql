-- crawl: per-family reachability of each host, and a crawl log operators can read.

-- One row per (host, address family, protocol): did a TCP connection to the URL's port
-- succeed over IPv4 / IPv6 on the last crawl? The server can use this to hand IPv6-only
-- clients only to hosts whose AAAA record actually works.
create table host_reachability (
  host_id integer not null references host (id) on delete cascade,
  family smallint not null check (family in (4, 6)),
  protocol text not null,
  -- the first address of that family (null: the name has no address of that family)
  address text,
  reachable boolean not null default false,
  error text,
  checked_at timestamptz not null default now(),
  primary key (host_id, family, protocol)
);

-- One row per host per crawl run; only the newest crawl.log_keep rows per host are kept.
create table host_crawl_log (
  id serial primary key,
  host_id integer not null references host (id) on delete cascade,
  started timestamptz not null,
  finished timestamptz not null,
  mode text not null default 'full',
  result text not null check (result in ('ok', 'failure', 'timeout', 'unreachable')),
  -- one line per category, for people
  summary text not null default '',
  -- per-category detail: protocol used, directories up to date / stale, requests, errors
  details jsonb not null default '{}'::jsonb
);
create index host_crawl_log_host on host_crawl_log (host_id, started desc);
