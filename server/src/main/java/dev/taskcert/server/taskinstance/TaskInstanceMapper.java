package dev.taskcert.server.taskinstance;

import dev.taskcert.server.authz.CallerFactsMapper;
import dev.taskcert.server.authz.CallerFactsRow;
import java.time.Instant;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL for task instances and their current try. */
public interface TaskInstanceMapper {

  String COLUMNS = """
      ti.id, r.dag_id, r.run_id, ti.task_id, ti.map_index, ti.try_number, ti.max_tries, ti.state,
      ti.hostname, ti.pid, ti.start_date, ti.end_date, ti.execution_generation, ti.updated_at
      """;

  @Select("select " + COLUMNS + """
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where ti.id = #{id} for update of ti""")
  TaskInstanceRow lockById(@Param("id") long id);

  @Select("select " + COLUMNS + """
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId} and ti.task_id = #{taskId}
        and ti.map_index = #{mapIndex}
      for update of ti""")
  TaskInstanceRow lock(
      @Param("dagId") String dagId,
      @Param("runId") String runId,
      @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex);

  /** Creates the first try of a task instance in QUEUED; returns its id. */
  @Select("""
      insert into task_instance (dag_run_id, task_id, map_index, try_number, max_tries, state, scheduler_ti_id)
      values (#{dagRunId}, #{taskId}, #{mapIndex}, 1, #{maxTries}, 'QUEUED', #{schedulerTiId})
      returning id""")
  long insertFirstTry(
      @Param("dagRunId") long dagRunId,
      @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex,
      @Param("maxTries") int maxTries,
      @Param("schedulerTiId") String schedulerTiId);

  /** Makes a new try current, superseding the previous one. */
  @Update("""
      update task_instance
      set try_number = try_number + 1, max_tries = #{maxTries}, state = 'QUEUED',
          hostname = null, pid = null, unix_user = null, start_date = null, end_date = null,
          last_heartbeat_at = null, enrolled_at = null, updated_at = now(),
          execution_generation = 1, scheduler_ti_id = #{schedulerTiId}, rendered_map_index = null,
          retry_delay_seconds = null, retry_reason = null, trigger_classpath = null, trigger_kwargs = null,
          trigger_timeout = null, trigger_queue = null, next_method = null, next_kwargs = null,
          reschedule_date = null, reschedule_count = 0
      where id = #{id}""")
  int startNextTry(@Param("id") long id, @Param("maxTries") int maxTries, @Param("schedulerTiId") String schedulerTiId);

  @Update("""
      update task_instance
      set state = 'RUNNING', hostname = #{hostname}, pid = #{pid}, unix_user = #{unixUser},
          start_date = coalesce(start_date, #{startDate}), end_date = null, last_heartbeat_at = now(),
          updated_at = now()
      where id = #{id} and try_number = #{tryNumber} and state = 'QUEUED'""")
  int markRunning(
      @Param("id") long id,
      @Param("tryNumber") int tryNumber,
      @Param("hostname") String hostname,
      @Param("pid") int pid,
      @Param("unixUser") String unixUser,
      @Param("startDate") Instant startDate);

  @Update("""
      update task_instance
      set state = #{state}, end_date = #{endDate}, updated_at = now(),
          rendered_map_index = coalesce(#{renderedMapIndex}, rendered_map_index),
          retry_delay_seconds = #{retryDelaySeconds}, retry_reason = #{retryReason}
      where id = #{id} and try_number = #{tryNumber} and state = 'RUNNING'""")
  int markFinished(
      @Param("id") long id,
      @Param("tryNumber") int tryNumber,
      @Param("state") String state,
      @Param("endDate") Instant endDate,
      @Param("renderedMapIndex") String renderedMapIndex,
      @Param("retryDelaySeconds") Long retryDelaySeconds,
      @Param("retryReason") String retryReason);

  /**
   * Records a heartbeat of the caller's try on the database's clock (the one the liveness sweep
   * compares with), checking in the same statement all the front door would otherwise have read:
   * the caller's certificate ({@code serial}) is not revoked, its try ({@code tryNumber}) is the
   * task instance's current try, in one of {@code states}, of the execution the certificate was
   * issued for, and runs on {@code hostname} as {@code pid}. The row is re-checked as it is
   * updated, so a try that changed concurrently is not touched. Returns nothing when the heartbeat
   * was recorded, else the caller's facts as the statement read them, to tell why it was not.
   */
  @Select("with facts as (" + CallerFactsMapper.FACTS + """
      ), beat as (
        update task_instance ti set last_heartbeat_at = now()
        from facts f
        where ti.id = f.id and not f.revoked and ti.try_number = #{tryNumber}
          and ti.state = any(#{states,typeHandler=dev.taskcert.server.db.TextArrayTypeHandler})
          and (ti.execution_generation = 1 or ti.execution_generation = f.certificate_generation)
          and ti.hostname = #{hostname} and ti.pid = #{pid}
        returning ti.id)
      select f.* from facts f where not exists (select 1 from beat)""")
  CallerFactsRow heartbeat(
      @Param("serial") String serialHex,
      @Param("dagId") String dagId,
      @Param("runId") String runId,
      @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex,
      @Param("tryNumber") int tryNumber,
      @Param("states") java.util.List<String> states,
      @Param("hostname") String hostname,
      @Param("pid") int pid,
      @Param("maxMillis") long maxMillis);

  @Update("""
      update task_instance
      set state = 'DEFERRED', trigger_classpath = #{classpath}, trigger_kwargs = cast(#{triggerKwargs} as jsonb),
          trigger_timeout = #{triggerTimeout}, next_method = #{nextMethod},
          next_kwargs = cast(#{nextKwargs} as jsonb), trigger_queue = #{triggerQueue},
          rendered_map_index = coalesce(#{renderedMapIndex}, rendered_map_index), updated_at = now()
      where id = #{id} and try_number = #{tryNumber} and state = 'RUNNING'""")
  int markDeferred(@Param("id") long id, @Param("tryNumber") int tryNumber, @Param("classpath") String classpath,
      @Param("triggerKwargs") String triggerKwargs, @Param("triggerTimeout") Instant triggerTimeout,
      @Param("nextMethod") String nextMethod, @Param("nextKwargs") String nextKwargs,
      @Param("triggerQueue") String triggerQueue, @Param("renderedMapIndex") String renderedMapIndex);

  @Update("""
      update task_instance
      set state = 'UP_FOR_RESCHEDULE', reschedule_date = #{rescheduleDate}, end_date = #{endDate}, updated_at = now(),
          reschedule_count = reschedule_count + 1
      where id = #{id} and try_number = #{tryNumber} and state = 'RUNNING'""")
  int markRescheduled(@Param("id") long id, @Param("tryNumber") int tryNumber,
      @Param("rescheduleDate") Instant rescheduleDate, @Param("endDate") Instant endDate);

  @Update("""
      update task_instance set rendered_fields = cast(#{fields} as jsonb), updated_at = now()
      where id = #{id} and try_number = #{tryNumber} and state = 'RUNNING'""")
  int setRenderedFields(@Param("id") long id, @Param("tryNumber") int tryNumber, @Param("fields") String fields);

  /** Marks not-yet-running task instances of a dag run SKIPPED; returns how many changed. */
  @Update("""
      <script>
      update task_instance set state = 'SKIPPED', updated_at = now()
      where dag_run_id = #{dagRunId} and state = 'QUEUED' and task_id in
      <foreach item="taskId" collection="taskIds" open="(" separator="," close=")">#{taskId}</foreach>
      </script>""")
  int skipQueued(@Param("dagRunId") long dagRunId, @Param("taskIds") java.util.List<String> taskIds);

  /** Creates SKIPPED rows (try 1) for tasks of a dag run that have no task instance yet. */
  @Update("""
      <script>
      insert into task_instance (dag_run_id, task_id, map_index, try_number, max_tries, state)
      select #{dagRunId}, t.task_id, -1, 1, 0, 'SKIPPED'
      from unnest(array[<foreach item="taskId" collection="taskIds" separator=",">#{taskId}</foreach>]::text[]) as t(task_id)
      where not exists (select 1 from task_instance ti where ti.dag_run_id = #{dagRunId} and ti.task_id = t.task_id)
      </script>""")
  int insertSkipped(@Param("dagRunId") long dagRunId, @Param("taskIds") java.util.List<String> taskIds);

  @Select("select dag_run_id from task_instance where id = #{id}")
  long dagRunIdOf(@Param("id") long id);
}
