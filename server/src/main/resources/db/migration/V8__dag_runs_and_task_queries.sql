-- Cross-DAG reads and triggers, task instance queries and task reschedules.

-- Whether the DAG is paused, as the control plane registers it (GetDagState).
alter table dag add column is_paused boolean not null default false;

-- Teams other than the DAG's own that its declaration lets read its runs and task instances
-- ('read') or trigger and clear its runs ('trigger'). Replaced whenever the DAG is registered.
create table dag_team_access (
  dag_id    text not null references dag (dag_id) on delete cascade,
  access    text not null check (access in ('read', 'trigger')),
  team_name text not null references team (name),
  primary key (dag_id, access, team_name)
);

-- The rendered map index a running try reports for itself (the column comes with V7): bounded.
alter table task_instance add constraint task_instance_rendered_map_index_length
  check (rendered_map_index is null or length(rendered_map_index) between 1 and 250);

-- One row each time a try is rescheduled, written in the same statement's transaction as the
-- state change, so the first reschedule of a try keeps the date its poking started.
create table task_reschedule (
  id               bigserial primary key,
  task_instance_id bigint not null references task_instance (id),
  try_number       integer not null,
  start_date       timestamptz not null,
  end_date         timestamptz,
  reschedule_date  timestamptz not null
);
create index task_reschedule_try on task_reschedule (task_instance_id, try_number, id);

create function taskcert_record_reschedule() returns trigger language plpgsql as $$
begin
  insert into task_reschedule (task_instance_id, try_number, start_date, end_date, reschedule_date)
  values (new.id, new.try_number, coalesce(new.start_date, now()), new.end_date, new.reschedule_date);
  return new;
end $$;

create trigger task_instance_rescheduled after update of state on task_instance
  for each row when (new.state = 'UP_FOR_RESCHEDULE' and old.state is distinct from 'UP_FOR_RESCHEDULE')
  execute function taskcert_record_reschedule();
