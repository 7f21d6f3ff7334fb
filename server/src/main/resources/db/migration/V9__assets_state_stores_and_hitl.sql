-- Assets (registered by the control plane), asset aliases, the events tasks record for their
-- outlets, asset and task state stores, and human-in-the-loop details. An asset belongs to a team
-- (null = global) and may be shared with other named teams.

create table asset (
  id                bigserial primary key,
  name              text not null unique check (length(name) between 1 and 1500),
  uri               text not null unique check (length(uri) between 1 and 1500),
  asset_group       text not null default 'asset' check (length(asset_group) between 1 and 1500),
  extra             jsonb not null default '{}',
  team_id           bigint references team (id),
  shared_with_teams text[] not null default '{}',
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);

create table asset_alias (
  id   bigserial primary key,
  name text not null unique check (length(name) between 1 and 1500)
);

create table asset_event (
  id               bigserial primary key,
  asset_id         bigint not null references asset (id),
  extra            jsonb not null default '{}',
  source_dag_id    text,
  source_run_id    text,
  source_task_id   text,
  source_map_index integer not null default -1,
  timestamp        timestamptz not null default now()
);

create index asset_event_by_asset on asset_event (asset_id, timestamp);

create table asset_alias_event (
  alias_id bigint not null references asset_alias (id),
  event_id bigint not null references asset_event (id),
  primary key (alias_id, event_id)
);

-- Key/value state of an asset, shared by the tasks that may see it.
create table asset_store (
  asset_id   bigint not null references asset (id),
  key        text not null check (length(key) between 1 and 512),
  value      jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (asset_id, key)
);

-- Key/value state of one task instance, kept across its tries.
create table task_store (
  task_instance_id bigint not null references task_instance (id),
  key              text not null check (length(key) between 1 and 512),
  value            jsonb not null,
  expires_at       timestamptz,
  updated_at       timestamptz not null default now(),
  primary key (task_instance_id, key)
);

-- The human-in-the-loop question of a task instance and its answer (one per task instance).
create table hitl_detail (
  task_instance_id bigint primary key references task_instance (id),
  options          text[] not null,
  subject          text not null,
  body             text,
  defaults         text[] not null default '{}',
  multiple         boolean not null default false,
  params           jsonb not null default '{}',
  responded_at     timestamptz,
  responded_by     text,
  chosen_options   text[],
  params_input     jsonb not null default '{}',
  created_at       timestamptz not null default now()
);
