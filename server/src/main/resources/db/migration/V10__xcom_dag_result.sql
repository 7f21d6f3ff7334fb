-- Airflow's dag_result flag of an XCom: the value is a result of its dag run. Kept with the value,
-- replaced with it on every write.
alter table xcom add column dag_result boolean not null default false;
