package dev.taskcert.server.taskinstance;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for the run context StartTask returns beyond the task instance's state (Airflow's TIRunContext). */
public interface RunContextMapper {

  /** What a try carries across its executions. */
  record TryContext(String schedulerTiId, int rescheduleCount, String nextMethod, String nextKwargs,
      String nextKwargsType, String renderedMapIndex, Instant startDate, int executionGeneration) {}

  /** The dag-run facts Airflow's DagRun carries that DagRunRow does not. */
  record RunFacts(Instant runAfter, Instant startDate, Instant endDate, String state) {}

  /** One task instance of an upstream task; {@code mapIndex} is null when the task has none in the run. */
  record UpstreamInstance(String taskId, Integer mapIndex) {}

  @Select("""
      select scheduler_ti_id, reschedule_count, next_method,
             case when jsonb_typeof(next_kwargs) = 'string' then next_kwargs #>> '{}' else next_kwargs::text end
               as next_kwargs,
             jsonb_typeof(next_kwargs) as next_kwargs_type, rendered_map_index, start_date, execution_generation
      from task_instance where id = #{id}""")
  TryContext tryContext(@Param("id") long id);

  @Select("""
      select coalesce(logical_date, created_at) as run_after, created_at as start_date, end_date, state
      from dag_run where dag_id = #{dagId} and run_id = #{runId}""")
  RunFacts runFacts(@Param("dagId") String dagId, @Param("runId") String runId);

  /** The task instances, in the caller's run, of each task the DAG declares directly upstream of {@code taskId}. */
  @Select("""
      select t.task_id, ti.map_index
      from dag_task t
      left join dag_run r on r.dag_id = t.dag_id and r.run_id = #{runId}
      left join task_instance ti on ti.dag_run_id = r.id and ti.task_id = t.task_id
      where t.dag_id = #{dagId} and #{taskId} = any(t.downstream_task_ids)
      order by t.task_id, ti.map_index""")
  List<UpstreamInstance> upstreamInstances(
      @Param("dagId") String dagId, @Param("runId") String runId, @Param("taskId") String taskId);
}
