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
                       allowed_variable_patterns, xcom_read_scope)
      values (#{dagId}, (select id from dag_bundle where name = #{bundle}), #{declaresResources},
              #{allowedConnectionIds, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler},
              #{allowedVariablePatterns, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler},
              #{xcomReadScope})
      on conflict (dag_id) do update set
        bundle_id = excluded.bundle_id,
        declares_resources = excluded.declares_resources,
        allowed_connection_ids = excluded.allowed_connection_ids,
        allowed_variable_patterns = excluded.allowed_variable_patterns,
        xcom_read_scope = excluded.xcom_read_scope
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
}
