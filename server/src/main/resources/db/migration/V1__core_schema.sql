-- Core schema: who owns what (team, bundle, dag), what runs (dag_run, task_instance),
-- what tasks read (variable), how they get certificates (enrollment_token, issued_certificate),
-- and the audit trail.

create table team (
  id         bigserial primary key,
  name       text not null unique check (name ~ '^[A-Za-z0-9_-]{1,50}$'),
  created_at timestamptz not null default now()
);

create table dag_bundle (
  id      bigserial primary key,
  name    text not null unique check (length(name) between 1 and 250),
  team_id bigint references team (id)
);

create table dag (
  dag_id                    text primary key check (length(dag_id) between 1 and 250),
  bundle_id                 bigint not null references dag_bundle (id),
  declares_resources        boolean not null default false,
  allowed_connection_ids    text[] not null default '{}',
  allowed_variable_patterns text[] not null default '{}',
  xcom_read_scope           text not null default 'TEAM'
                            check (xcom_read_scope in ('TEAM', 'SAME_DAG', 'SAME_RUN'))
);

create table dag_run (
  id                  bigserial primary key,
  dag_id              text not null references dag (dag_id),
  run_id              text not null check (length(run_id) between 1 and 250),
  logical_date        timestamptz,
  data_interval_start timestamptz,
  data_interval_end   timestamptz,
  run_type            text not null default 'manual',
  conf                jsonb not null default '{}',
  state               text not null default 'running',
  created_at          timestamptz not null default now(),
  unique (dag_id, run_id)
);

create table task_instance (
  id                bigserial primary key,
  dag_run_id        bigint not null references dag_run (id),
  task_id           text not null check (length(task_id) between 1 and 250),
  map_index         integer not null default -1 check (map_index >= -1),
  try_number        integer not null check (try_number >= 1),
  max_tries         integer not null default 1 check (max_tries >= 1),
  state             text not null,
  hostname          text,
  pid               integer,
  unix_user         text,
  start_date        timestamptz,
  end_date          timestamptz,
  last_heartbeat_at timestamptz,
  updated_at        timestamptz not null default now(),
  unique (dag_run_id, task_id, map_index)
);

create table variable (
  key         text primary key check (length(key) between 1 and 250),
  value       text not null,
  description text,
  team_id     bigint references team (id),
  updated_at  timestamptz not null default now()
);

-- Enrollment tokens are stored only as SHA-256 hashes; the token itself is shown once.
create table enrollment_token (
  token_hash       bytea primary key check (length(token_hash) = 32),
  task_instance_id bigint not null references task_instance (id),
  try_number       integer not null,
  expires_at       timestamptz not null,
  used_at          timestamptz,
  created_at       timestamptz not null default now()
);
create index enrollment_token_ti on enrollment_token (task_instance_id);

create table issued_certificate (
  serial_hex        text primary key,
  task_instance_id  bigint references task_instance (id),
  try_number        integer,
  spiffe_id         text not null,
  not_before        timestamptz not null,
  not_after         timestamptz not null,
  issued_at         timestamptz not null default now(),
  revoked_at        timestamptz,
  revocation_reason text
);
create index issued_certificate_ti on issued_certificate (task_instance_id, try_number);

create table audit_event (
  id        bigserial primary key,
  at        timestamptz not null default now(),
  kind      text not null,
  principal text,
  rpc       text,
  resource  text,
  detail    text
);
