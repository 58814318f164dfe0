-- serve-web: accounts, their sessions and one-time tokens, and the audit trail of changes
-- to sites and hosts (written by the web and the admin commands alike).

create table web_user (
  id serial primary key,
  username text not null unique,
  email text not null,
  display_name text,
  -- scrypt$N$r$p$salt$hash (src/lib/sites/password.ts); null: signs in through OIDC only
  password_hash text,
  admin boolean not null default false,
  confirmed boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index web_user_email on web_user (lower(email));

-- Sign-up confirmation and password reset tokens: only their SHA-256 is stored; a token
-- serves one purpose, once, until it expires.
create table web_token (
  token_hash text primary key,
  user_id integer not null references web_user (id) on delete cascade,
  purpose text not null check (purpose in ('confirm', 'reset')),
  expires_at timestamptz not null
);
create index web_token_user on web_token (user_id);

-- Signed-in browsers: the cookie holds a random id, the table its SHA-256.
create table web_session (
  id_hash text primary key,
  user_id integer not null references web_user (id) on delete cascade,
  csrf_token text not null,
  -- groups the identity provider named at sign-in (OIDC); admin_group membership comes from here
  groups text[] not null default '{}',
  address text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index web_session_user on web_session (user_id);
create index web_session_expires on web_session (expires_at);

-- Who changed what, when: before -> after as JSON. No foreign keys, so the history of a
-- removed site or host stays readable.
create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  site_id integer,
  site_name text,
  host_id integer,
  target text not null,
  before jsonb,
  after jsonb
);
create index audit_log_site on audit_log (site_id, at desc);
create index audit_log_host on audit_log (host_id, at desc);
create index audit_log_at on audit_log (at desc);
