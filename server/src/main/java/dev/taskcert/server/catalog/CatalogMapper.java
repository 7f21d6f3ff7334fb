package dev.taskcert.server.catalog;

import java.time.Instant;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for the ownership catalog: teams, DAG bundles, DAGs and dag runs. */
public interface CatalogMapper {

  @Select("insert into team (name) values (#{name}) on conflict (name) do nothing returning id")
  Long insertTeam(@Param("name") String name);

  @Select("select id from team where name = #{name}")
  Long teamId(@Param("name") String name);

  @Select("""
      insert into dag_bundle (name, team_id) values (#{name}, #{teamId})
      on conflict (name) do update set team_id = excluded.team_id
      returning id""")
  long upsertBundle(@Param("name") String name, @Param("teamId") Long teamId);

  @Select("""
      insert into dag (dag_id, bundle_id, declares_resources, allowed_connection_ids,
                       allowed_variable_patterns, xcom_read_scope, max_try_duration_seconds)
      values (#{dagId}, (select id from dag_bundle where name = #{bundle}), #{declaresResources},
              #{allowedConnectionIds, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler},
              #{allowedVariablePatterns, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler},
              #{xcomReadScope}, #{maxTryDurationSeconds})
      on conflict (dag_id) do update set
        bundle_id = excluded.bundle_id,
        declares_resources = excluded.declares_resources,
        allowed_connection_ids = excluded.allowed_connection_ids,
        allowed_variable_patterns = excluded.allowed_variable_patterns,
        xcom_read_scope = excluded.xcom_read_scope,
        max_try_duration_seconds = excluded.max_try_duration_seconds
      returning dag_id""")
  String upsertDag(DagRegistration dag);

  @Select("""
      insert into dag_run (dag_id, run_id, logical_date, data_interval_start, data_interval_end, run_type, conf)
      values (#{dagId}, #{runId}, #{logicalDate}, #{dataIntervalStart}, #{dataIntervalEnd}, #{runType},
              cast(#{confJson} as jsonb))
      on conflict (dag_id, run_id) do nothing
      returning id""")
  Long insertDagRun(
      @Param("dagId") String dagId,
      @Param("runId") String runId,
      @Param("logicalDate") Instant logicalDate,
      @Param("dataIntervalStart") Instant dataIntervalStart,
      @Param("dataIntervalEnd") Instant dataIntervalEnd,
      @Param("runType") String runType,
      @Param("confJson") String confJson);

  @Select("select id from dag_run where dag_id = #{dagId} and run_id = #{runId}")
  Long dagRunId(@Param("dagId") String dagId, @Param("runId") String runId);

  @Select("""
      select d.dag_id, t.name as team, d.declares_resources,
             d.allowed_connection_ids, d.allowed_variable_patterns, d.xcom_read_scope
      from dag d
      join dag_bundle b on b.id = d.bundle_id
      left join team t on t.id = b.team_id
      where d.dag_id = #{dagId}""")
  DagOwnership dagOwnership(@Param("dagId") String dagId);

  @Select("""
      select dag_id, run_id, logical_date, data_interval_start, data_interval_end, run_type,
             conf::text as conf_json, state
      from dag_run where dag_id = #{dagId} and run_id = #{runId}""")
  DagRunRow dagRun(@Param("dagId") String dagId, @Param("runId") String runId);

  /** The newest successful run of the DAG that is older than the given run. */
  @Select("""
      select r.dag_id, r.run_id, r.logical_date, r.data_interval_start, r.data_interval_end, r.run_type,
             r.conf::text as conf_json, r.state
      from dag_run r join dag_run current on current.dag_id = r.dag_id and current.run_id = #{runId}
      where r.dag_id = #{dagId} and r.state = 'success' and r.id <> current.id
        and coalesce(r.logical_date, r.created_at) < coalesce(current.logical_date, current.created_at)
      order by coalesce(r.logical_date, r.created_at) desc, r.id desc
      limit 1""")
  DagRunRow previousSuccessfulRun(@Param("dagId") String dagId, @Param("runId") String runId);

  @org.apache.ibatis.annotations.Update("""
      update dag_run set state = #{state},
        end_date = case when #{state} in ('success', 'failed') then now() else null end
      where dag_id = #{dagId} and run_id = #{runId}""")
  int setDagRunState(@Param("dagId") String dagId, @Param("runId") String runId, @Param("state") String state);

  @Select("select id from dag_bundle where name = #{name}")
  Long bundleId(@Param("name") String name);

  @Select("select count(*) > 0 from dag where dag_id = #{dagId}")
  boolean dagExists(@Param("dagId") String dagId);
}
