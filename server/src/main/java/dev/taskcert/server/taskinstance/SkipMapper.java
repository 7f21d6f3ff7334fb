package dev.taskcert.server.taskinstance;

import java.util.List;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Update;

/** SQL for SkipDownstream: Airflow's rule, by task id (every map index) or by (task id, map index). */
public interface SkipMapper {

  /**
   * Marks SKIPPED the task instances of a dag run named by task id or by (task id, map index),
   * leaving those RUNNING, SUCCESS, FAILED or already SKIPPED; returns how many changed.
   */
  @Update("""
      <script>
      update task_instance set state = 'SKIPPED', start_date = now(), end_date = now(), updated_at = now()
      where dag_run_id = #{dagRunId} and state not in ('RUNNING', 'SUCCESS', 'FAILED', 'SKIPPED')
        and (false
        <if test="taskIds.size() > 0">
          or task_id in <foreach item="t" collection="taskIds" open="(" separator="," close=")">#{t}</foreach>
        </if>
        <foreach item="p" collection="pairs">or (task_id = #{p.taskId} and map_index = #{p.mapIndex})</foreach>
        )
      </script>""")
  int skip(@Param("dagRunId") long dagRunId, @Param("taskIds") List<String> taskIds,
      @Param("pairs") List<SkippedTaskRef> pairs);

  /** Creates SKIPPED rows (try 1) for (task id, map index) pairs of a dag run that have none yet. */
  @Update("""
      <script>
      insert into task_instance (dag_run_id, task_id, map_index, try_number, max_tries, state, start_date, end_date)
      select #{dagRunId}, p.task_id, p.map_index, 1, 1, 'SKIPPED', now(), now()
      from (values <foreach item="p" collection="pairs" separator=",">(#{p.taskId}, #{p.mapIndex})</foreach>)
        as p(task_id, map_index)
      where not exists (select 1 from task_instance ti
                        where ti.dag_run_id = #{dagRunId} and ti.task_id = p.task_id and ti.map_index = p.map_index)
      </script>""")
  int insertSkipped(@Param("dagRunId") long dagRunId, @Param("pairs") List<SkippedTaskRef> pairs);
}
