-- Public pages: access statistics ingestion state, per-day totals, and where a host's
-- map coordinates came from.

-- Where `stats ingest` stopped in each access log. A file is recognised by its inode
-- (a log renamed by logrotate keeps it) or, when that fails (compressed, copied), by a
-- hash of its first bytes; `offset` counts bytes of the uncompressed text, always at a
-- line boundary, so an hourly run never counts a line twice.
create table access_log_position (
  id serial primary key,
  device bigint not null,
  inode bigint not null,
  -- sha256 (hex) of the first head_length bytes of the text
  head_hash text not null,
  head_length integer not null check (head_length >= 0),
  "offset" bigint not null check ("offset" >= 0),
  -- lines skipped as malformed so far
  malformed bigint not null default 0,
  path text not null,
  updated_at timestamptz not null default now(),
  unique (device, inode)
);
create index access_log_position_head on access_log_position (head_length, head_hash);

-- All counted requests of a day: the denominator of access_stat.percent.
create table access_stat_day (
  date date primary key,
  accesses bigint not null default 0
);

insert into access_stat_category (name) values ('countries'), ('archs'), ('repositories'), ('categories')
  on conflict (name) do nothing;

-- true: an admin set latitude/longitude; `host locate` leaves them alone.
alter table host add column coordinates_manual boolean not null default false;
