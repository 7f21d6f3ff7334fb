package dev.taskcert.server.taskquery;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL for task instances other tasks read, and the caller's own try's details. */
public interface TaskQueryMapper {

  String COLUMNS = """
      r.dag_id, r.run_id, ti.task_id, ti.map_index, r.logical_date, ti.start_date, ti.end_date, ti.state,
      ti.try_number
      """;

  /**
   * The filters every query shares; {@code groupPrefix} is a LIKE pattern or {@code null}. With
   * {@code anyOfTasksOrGroup}, task ids and the group select together (Airflow's states read), else
   * each narrows (its count).
   */
  String FILTERS = """
      where r.dag_id = #{dagId}
      <choose>
        <when test="anyOfTasksOrGroup and taskIds.size() > 0 and groupPrefix != null">
          and (ti.task_id in <foreach item="t" collection="taskIds" open="(" separator="," close=")">#{t}</foreach>
               or ti.task_id like #{groupPrefix} escape '\\')
        </when>
        <otherwise>
          <if test="taskIds.size() > 0">
            and ti.task_id in <foreach item="t" collection="taskIds" open="(" separator="," close=")">#{t}</foreach>
          </if>
          <if test="groupPrefix != null">and ti.task_id like #{groupPrefix} escape '\\'</if>
        </otherwise>
      </choose>
      <if test="logicalDates.size() > 0">
        and r.logical_date in <foreach item="d" collection="logicalDates" open="(" separator="," close=")">#{d}</foreach>
      </if>
      <if test="runIds.size() > 0">
        and r.run_id in <foreach item="id" collection="runIds" open="(" separator="," close=")">#{id}</foreach>
      </if>
      <if test="mapIndex != null">and ti.map_index = #{mapIndex}</if>
      """;

  @Select("<script><bind name=\"anyOfTasksOrGroup\" value=\"false\"/>select count(*) from task_instance ti join dag_run r on r.id = ti.dag_run_id " + FILTERS + """
      <if test="states.size() > 0">
        and ti.state in <foreach item="s" collection="states" open="(" separator="," close=")">#{s}</foreach>
      </if>
      </script>""")
  long count(@Param("dagId") String dagId, @Param("taskIds") List<String> taskIds,
      @Param("groupPrefix") String groupPrefix, @Param("logicalDates") List<Instant> logicalDates,
      @Param("runIds") List<String> runIds, @Param("mapIndex") Integer mapIndex, @Param("states") List<String> states);

  @Select("<script><bind name=\"anyOfTasksOrGroup\" value=\"true\"/>select " + COLUMNS
      + " from task_instance ti join dag_run r on r.id = ti.dag_run_id " + FILTERS
      + " order by r.run_id, ti.task_id, ti.map_index limit #{limit}</script>")
  List<TaskInstanceBrief> list(@Param("dagId") String dagId, @Param("taskIds") List<String> taskIds,
      @Param("groupPrefix") String groupPrefix, @Param("logicalDates") List<Instant> logicalDates,
      @Param("runIds") List<String> runIds, @Param("mapIndex") Integer mapIndex, @Param("limit") int limit);

  @Select("""
      <script>
      select\s""" + COLUMNS + """
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where r.dag_id = #{dagId} and ti.task_id = #{taskId} and ti.map_index = #{mapIndex}
      <if test="before != null">and r.logical_date &lt; #{before}</if>
      <if test="state != null">and ti.state = #{state}</if>
      order by r.logical_date desc nulls last, r.id desc limit 1
      </script>""")
  TaskInstanceBrief previous(@Param("dagId") String dagId, @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex, @Param("before") Instant before, @Param("state") String state);

  @Select("select " + COLUMNS + """
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId} and ti.state in ('SUCCESS', 'FAILED', 'SKIPPED', 'REMOVED')
      order by ti.task_id, ti.map_index limit #{limit}""")
  List<TaskInstanceBrief> finished(@Param("dagId") String dagId, @Param("runId") String runId, @Param("limit") int limit);

  @Update("""
      update task_instance set rendered_map_index = #{value}, updated_at = now()
      where id = #{id} and try_number = #{tryNumber} and state = 'RUNNING'""")
  int setRenderedMapIndex(@Param("id") long id, @Param("tryNumber") int tryNumber, @Param("value") String value);

  @Select("""
      select start_date from task_reschedule
      where task_instance_id = #{id} and try_number = #{tryNumber} order by id limit 1""")
  Instant firstRescheduleStart(@Param("id") long id, @Param("tryNumber") int tryNumber);
}
