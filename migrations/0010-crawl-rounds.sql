-- crawl rounds shared by many `crawl --worker` processes through leases (issue 19).

-- One row per `crawl start`: which hosts (filters, as given) and in which mode.
-- At most one round is open at a time.
create table crawl_round (
  id serial primary key,
  created timestamptz not null default now(),
  -- the host selection and mode of `crawl start`, e.g. {"mode":"full","continents":["EU"]}
  filters jsonb not null default '{}'::jsonb,
  state text not null default 'open' check (state in ('open', 'done', 'cancelled')),
  -- when `crawl cancel` (or `crawl start --force`) ended it
  cancelled timestamptz,
  finished timestamptz
);
create unique index crawl_round_one_open on crawl_round ((true)) where state = 'open';

-- One row per host of a round. A worker claims a waiting row (or one whose lease expired)
-- with SELECT ... FOR UPDATE SKIP LOCKED, holds it until lease_expires (renewing it while
-- it crawls), and completes it in the transaction that stores the host's results.
create table crawl_work (
  round_id integer not null references crawl_round (id) on delete cascade,
  host_id integer not null references host (id) on delete cascade,
  -- crawl order: the slowest hosts of the previous crawl first
  position integer not null,
  -- done: crawled, result ok; failed: crawled with another result, or given up
  state text not null default 'waiting' check (state in ('waiting', 'leased', 'done', 'failed')),
  -- the worker holding the lease, then the one that completed the host
  worker text,
  lease_expires timestamptz,
  -- how many times the host was claimed; takeovers: how many of those claims took an expired lease
  attempts integer not null default 0,
  takeovers integer not null default 0,
  -- the worker whose expired lease was last taken over
  lost_by text,
  -- ok / failure / timeout / unreachable, and the host's line of the run summary (JSON)
  result text,
  summary jsonb,
  finished timestamptz,
  primary key (round_id, host_id)
);
create index crawl_work_open on crawl_work (round_id, position) where state in ('waiting', 'leased');
