-- The rest of the Execution API's data: connections (secrets encrypted at rest), XComs, and the
-- task-instance fields that defer, reschedule and rendered templates record.

create table connection (
  conn_id            text primary key check (length(conn_id) between 1 and 250),
  team_id            bigint references team (id),
  conn_type          text not null default '',
  host               text not null default '',
  schema_name        text not null default '',
  login              text not null default '',
  password_encrypted bytea,
  port               integer not null default 0,
  extra              jsonb not null default '{}',
  updated_at         timestamptz not null default now()
);

create table xcom (
  dag_run_id    bigint not null references dag_run (id),
  task_id       text not null,
  map_index     integer not null default -1,
  key           text not null check (length(key) between 1 and 512),
  value         jsonb not null,
  mapped_length integer,
  created_at    timestamptz not null default now(),
  primary key (dag_run_id, task_id, map_index, key)
);
create index xcom_task_key on xcom (dag_run_id, task_id, key);

alter table task_instance
  add column trigger_classpath   text,
  add column trigger_kwargs      jsonb,
  add column trigger_timeout     timestamptz,
  add column next_method         text,
  add column next_kwargs         jsonb,
  add column reschedule_date     timestamptz,
  add column rendered_fields     jsonb;

alter table dag_run
  add column end_date timestamptz;

-- Lets other replicas learn that a try changed state, that a certificate was revoked, or that
-- ownership changed, so their caches drop stale entries at once.
create function taskcert_notify_task_instance() returns trigger language plpgsql as $$
begin
  perform pg_notify('taskcert_invalidate', 'ti:' || new.id);
  return new;
end $$;

create trigger task_instance_changed after update of state, try_number on task_instance
  for each row execute function taskcert_notify_task_instance();

create function taskcert_notify_catalog() returns trigger language plpgsql as $$
begin
  perform pg_notify('taskcert_invalidate', 'catalog');
  return null;
end $$;

create trigger dag_changed after insert or update or delete on dag
  for each statement execute function taskcert_notify_catalog();
create trigger dag_bundle_changed after insert or update or delete on dag_bundle
  for each statement execute function taskcert_notify_catalog();

create function taskcert_notify_revocation() returns trigger language plpgsql as $$
begin
  perform pg_notify('taskcert_invalidate', 'revoked:' || new.serial_hex);
  return new;
end $$;

create trigger certificate_revoked after update of revoked_at on issued_certificate
  for each row when (new.revoked_at is not null) execute function taskcert_notify_revocation();
