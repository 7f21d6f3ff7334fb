package dev.taskcert.server.enrollment;

import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for resuming a deferred or rescheduled try under a new execution generation. */
public interface TryResumptionMapper {

  /**
   * Moves a locked DEFERRED or UP_FOR_RESCHEDULE try back to QUEUED under the next execution
   * generation, keeping its try number, start date, next method and arguments and rendered map
   * index; the maximum duration starts again at the next enrollment. Returns the new generation,
   * or {@code null} if the try was not in such a state.
   */
  @Select("""
      update task_instance
      set state = 'QUEUED', execution_generation = execution_generation + 1,
          hostname = null, pid = null, unix_user = null, end_date = null, last_heartbeat_at = null,
          enrolled_at = null, trigger_classpath = null, trigger_kwargs = null, trigger_timeout = null,
          trigger_queue = null, reschedule_date = null,
          scheduler_ti_id = coalesce(#{schedulerTiId}, scheduler_ti_id), updated_at = now()
      where id = #{id} and try_number = #{tryNumber} and state in ('DEFERRED', 'UP_FOR_RESCHEDULE')
      returning execution_generation""")
  Integer resume(@Param("id") long id, @Param("tryNumber") int tryNumber, @Param("schedulerTiId") String schedulerTiId);
}
