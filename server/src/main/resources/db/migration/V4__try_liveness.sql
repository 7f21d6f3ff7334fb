-- Try liveness: when the current try first enrolled (the start of its maximum duration), a
-- per-DAG bound on that duration, and which certificate each renewal came from (so revoking a
-- serial also revokes what was renewed from it).

alter table task_instance
  add column enrolled_at timestamptz;

alter table dag
  add column max_try_duration_seconds bigint check (max_try_duration_seconds > 0);

alter table issued_certificate
  add column renewed_from text;
create index issued_certificate_renewed_from on issued_certificate (renewed_from) where renewed_from is not null;

-- The liveness sweep looks for running tries whose heartbeats stopped and enrolled tries that
-- never started.
create index task_instance_live on task_instance (state) where state in ('RUNNING', 'QUEUED');
