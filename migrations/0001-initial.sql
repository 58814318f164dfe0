-- mirrormanager schema, version 1.
-- Our own design covering what MirrorManager2 stores (see spec/mm2-database.md).
-- Booleans are NOT NULL with defaults; every reference says what happens on delete, so
-- removing a site, host, category or directory can never leave orphans.

create table product (
  id serial primary key,
  name text not null unique,
  publiclist boolean not null default true
);

create table version (
  id serial primary key,
  product_id integer not null references product (id) on delete cascade,
  name text not null,
  is_test boolean not null default false,
  display boolean not null default true,
  display_name text,
  ordered_mirrorlist boolean not null default false,
  sortorder integer not null default 0,
  codename text,
  unique (product_id, name)
);

create table arch (
  id serial primary key,
  name text not null unique,
  publiclist boolean not null default true,
  primary_arch boolean not null default true
);

insert into arch (name, primary_arch) values
  ('x86_64', true), ('aarch64', true), ('ppc64le', false), ('s390x', false),
  ('i386', false), ('i686', false), ('armhfp', false), ('ppc64', false),
  ('riscv64', false), ('noarch', false), ('source', false);

create table directory (
  id serial primary key,
  name text not null unique,
  ctime bigint not null default 0,
  readable boolean not null default true,
  -- the short file list: [{"name": ..., "size": ..., "timestamp": ...}]
  files jsonb not null default '[]'::jsonb
);

create table category (
  id serial primary key,
  name text not null unique,
  product_id integer references product (id) on delete restrict,
  topdir_id integer references directory (id) on delete set null,
  canonical_host text,
  publiclist boolean not null default true,
  geo_dns_domain text,
  admin_only boolean not null default false
);

create table category_directory (
  category_id integer not null references category (id) on delete cascade,
  directory_id integer not null references directory (id) on delete cascade,
  primary key (category_id, directory_id)
);
create index category_directory_directory on category_directory (directory_id);

create table site (
  id serial primary key,
  name text not null unique,
  -- scrypt$N$r$p$salt$hash (see src/lib/sites/password.ts); null = no password set
  password_hash text,
  org_url text,
  private boolean not null default false,
  admin_active boolean not null default true,
  user_active boolean not null default true,
  created_at timestamptz not null default now(),
  created_by text,
  all_sites_can_pull_from_me boolean not null default false,
  downstream_comments text,
  email_on_drop boolean not null default false,
  email_on_add boolean not null default false
);

create table site_admin (
  id serial primary key,
  site_id integer not null references site (id) on delete cascade,
  username text not null,
  unique (site_id, username)
);

create table host (
  id serial primary key,
  site_id integer not null references site (id) on delete cascade,
  name text not null,
  robot_email text,
  admin_active boolean not null default true,
  user_active boolean not null default true,
  country char(2) not null,
  bandwidth_int integer not null default 100 check (bandwidth_int > 0),
  comment text,
  private boolean not null default false,
  internet2 boolean not null default false,
  internet2_clients boolean not null default false,
  asn integer check (asn is null or asn > 0),
  asn_clients boolean not null default true,
  max_connections integer not null default 1 check (max_connections > 0),
  latitude double precision,
  longitude double precision,
  last_checked_in timestamptz,
  last_crawled timestamptz,
  last_crawl_duration integer,
  last_crawl_result text,
  crawl_failures integer not null default 0,
  disable_reason text,
  unique (site_id, name)
);
create index host_name on host (name);

create table host_country_allowed (
  id serial primary key,
  host_id integer not null references host (id) on delete cascade,
  country char(2) not null,
  unique (host_id, country)
);

create table host_netblock (
  id serial primary key,
  host_id integer not null references host (id) on delete cascade,
  -- CIDR (v4 or v6), a single address stored as /32 or /128, or a DNS name
  netblock text not null,
  name text,
  unique (host_id, netblock)
);

create table host_peer_asn (
  id serial primary key,
  host_id integer not null references host (id) on delete cascade,
  asn integer not null check (asn > 0),
  name text,
  unique (host_id, asn)
);

create table host_acl_ip (
  id serial primary key,
  host_id integer not null references host (id) on delete cascade,
  ip text not null,
  unique (host_id, ip)
);

create table host_category (
  id serial primary key,
  host_id integer not null references host (id) on delete cascade,
  category_id integer not null references category (id) on delete cascade,
  always_up2date boolean not null default false,
  unique (host_id, category_id)
);
create index host_category_category on host_category (category_id);

create table host_category_url (
  id serial primary key,
  host_category_id integer not null references host_category (id) on delete cascade,
  url text not null unique,
  private boolean not null default false
);
create index host_category_url_host_category on host_category_url (host_category_id);

create table host_category_dir (
  id serial primary key,
  host_category_id integer not null references host_category (id) on delete cascade,
  directory_id integer not null references directory (id) on delete cascade,
  -- path relative to the category's top directory
  path text not null,
  up2date boolean not null default false,
  last_checked timestamptz,
  unique (host_category_id, directory_id)
);
create index host_category_dir_directory on host_category_dir (directory_id);

create table repository (
  id serial primary key,
  name text not null,
  prefix text,
  category_id integer not null references category (id) on delete cascade,
  version_id integer references version (id) on delete set null,
  arch_id integer references arch (id) on delete set null,
  directory_id integer not null references directory (id) on delete cascade,
  disabled boolean not null default false,
  unique (prefix, arch_id)
);
create index repository_directory on repository (directory_id);

create table file_detail (
  id serial primary key,
  directory_id integer not null references directory (id) on delete cascade,
  filename text not null,
  timestamp bigint,
  size bigint,
  md5 text,
  sha1 text,
  sha256 text,
  sha512 text
);
create index file_detail_directory_filename on file_detail (directory_id, filename, timestamp desc);

create table repository_redirect (
  id serial primary key,
  from_repo text not null unique,
  to_repo text not null
);

create table country_continent_redirect (
  id serial primary key,
  country char(2) not null unique,
  continent char(2) not null
);

create table embargoed_country (
  id serial primary key,
  country_code char(2) not null unique
);

create table netblock_country (
  id serial primary key,
  netblock text not null unique,
  country char(2) not null
);

create table propagation_stat (
  id serial primary key,
  repository_id integer not null references repository (id) on delete cascade,
  datetime timestamptz not null default now(),
  same_day integer not null default 0,
  one_day integer not null default 0,
  two_day integer not null default 0,
  older integer not null default 0,
  no_info integer not null default 0
);
create index propagation_stat_repository on propagation_stat (repository_id, datetime);

create table access_stat_category (
  id serial primary key,
  name text not null unique
);

create table access_stat (
  id serial primary key,
  category_id integer not null references access_stat_category (id) on delete cascade,
  date date not null,
  name text not null,
  percent double precision,
  requests bigint,
  unique (category_id, date, name)
);
