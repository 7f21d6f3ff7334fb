-- Connection extras are sealed at rest like passwords (AES-256-GCM under the server key, bound to
-- the row). The key is outside the database, so rows written before this migration keep their
-- plaintext `extra` (still served) until the connection is set again through the Admin API, which
-- seals it into `extra_sealed` and clears the plaintext column to '{}'.
alter table connection add column extra_sealed bytea;

-- A DAG's declared structure: its tasks and each one's direct downstream tasks, as the control
-- plane registers them. A DAG with no rows here declares no structure. SkipDownstream uses it to
-- accept only tasks downstream of the caller, and to create SKIPPED rows only for declared tasks.
create table dag_task (
  dag_id              text not null references dag (dag_id),
  task_id             text not null check (length(task_id) between 1 and 250),
  downstream_task_ids text[] not null default '{}',
  primary key (dag_id, task_id)
);
