-- The task lifecycle as Airflow runs it.
--
-- Deferral and reschedule resume the same try under a new execution generation: each resume
-- mints a new enrollment token for that generation, and certificates are bound to the generation
-- they were issued for, so a certificate of an earlier execution of the try never comes back.
alter table task_instance
  add column execution_generation integer not null default 1 check (execution_generation >= 1),
  -- the control plane's own id for the task instance (Airflow's task-instance UUID), if it gave one
  add column scheduler_ti_id      text check (length(scheduler_ti_id) between 1 and 64),
  add column rendered_map_index   text,
  add column retry_delay_seconds  bigint check (retry_delay_seconds >= 0),
  add column retry_reason         text,
  add column trigger_queue        text,
  add column reschedule_count     integer not null default 0 check (reschedule_count >= 0);

alter table issued_certificate add column execution_generation integer not null default 1;
alter table enrollment_token add column execution_generation integer not null default 1;

-- max_tries now has Airflow's meaning: the number of retries (a try may retry while
-- try_number <= max_tries). Rows stored before counted total tries.
alter table task_instance drop constraint task_instance_max_tries_check;
update task_instance set max_tries = max_tries - 1;
alter table task_instance alter column max_tries set default 0;
alter table task_instance add constraint task_instance_max_tries_check check (max_tries >= 0);

-- Other replicas learn of a resume (same try, new generation) as they learn of a state change.
drop trigger task_instance_changed on task_instance;
create trigger task_instance_changed after update of state, try_number, execution_generation on task_instance
  for each row execute function taskcert_notify_task_instance();
