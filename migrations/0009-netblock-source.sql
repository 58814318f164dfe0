-- Where a host netblock came from: null = added by hand (host netblock add, the web, an
-- MM2 import); "cloud:<provider>:<region>:<service>" = netblocks cloud, which only ever
-- removes the rows carrying its own mark.
alter table host_netblock add column source text check (source is null or length(source) <= 200);
