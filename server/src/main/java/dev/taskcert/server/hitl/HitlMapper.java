package dev.taskcert.server.hitl;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL for human-in-the-loop details. */
public interface HitlMapper {
  String COLUMNS = """
      task_instance_id, options, subject, body, defaults, multiple, params::text as params, responded_at,
      responded_by, chosen_options, params_input::text as params_input""";

  @Select("select " + COLUMNS + " from hitl_detail where task_instance_id = #{ti}")
  HitlRow find(@Param("ti") long taskInstanceId);

  /** Creates the detail of task instance {@code ti} unless it has one; returns whether it created it. */
  @Insert("""
      insert into hitl_detail (task_instance_id, options, subject, body, defaults, multiple, params)
      values (#{ti}, #{options, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler}, #{subject}, #{body}, #{defaults, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler}, #{multiple}, cast(#{params} as jsonb))
      on conflict (task_instance_id) do nothing""")
  int create(@Param("ti") long taskInstanceId, @Param("options") List<String> options,
      @Param("subject") String subject, @Param("body") String body, @Param("defaults") List<String> defaults,
      @Param("multiple") boolean multiple, @Param("params") String params);

  /** Removes the answer of task instance {@code ti}'s detail, so that a new try asks again. */
  @Update("""
      update hitl_detail set responded_at = null, responded_by = null, chosen_options = null, params_input = '{}'
      where task_instance_id = #{ti} and responded_at is not null""")
  int clearResponse(@Param("ti") long taskInstanceId);

  /** Records the answer unless one was recorded already; returns 0 then. */
  @Update("""
      update hitl_detail set responded_at = #{at}, responded_by = #{by}, chosen_options = #{chosen, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler},
        params_input = cast(#{paramsInput} as jsonb)
      where task_instance_id = #{ti} and responded_at is null""")
  int respond(@Param("ti") long taskInstanceId, @Param("at") Instant at, @Param("by") String by,
      @Param("chosen") List<String> chosen, @Param("paramsInput") String paramsInput);

  /** The id of the task instance (dag, run, task, map index), or {@code null}. */
  @Select("""
      select ti.id from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId} and ti.task_id = #{taskId} and ti.map_index = #{mapIndex}""")
  Long taskInstanceId(@Param("dagId") String dagId, @Param("runId") String runId, @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex);
}
