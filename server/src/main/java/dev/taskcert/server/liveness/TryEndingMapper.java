package dev.taskcert.server.liveness;

import java.util.List;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/**
 * SQL for ending tries: finding the ones whose time is up, moving them to a final state and
 * revoking their certificates. Every time here is the database's clock, so replicas whose clocks
 * disagree still agree on which tries are stale.
 */
public interface TryEndingMapper {

  String COLUMNS = """
      ti.id, r.dag_id, r.run_id, ti.task_id, ti.map_index, ti.try_number, ti.max_tries, ti.state
      """;

  /**
   * When the try of task instance row {@code ti}, of the DAG in row {@code d}, reaches its maximum
   * duration by the database's clock: the server's bound (parameter {@code maxMillis}), or the
   * DAG's when that is shorter, counted from the try's first certificate, or from now for a try
   * that has none yet. The try's clock starts when its first certificate is recorded.
   */
  String TRY_DEADLINE = """
      (coalesce(ti.enrolled_at, now())
       + least(#{maxMillis}, coalesce(d.max_try_duration_seconds * 1000, #{maxMillis})) * interval '1 millisecond')""";

  /**
   * Takes the cluster-wide sweep lock for the rest of the transaction, if no other replica holds it.
   * The key is arbitrary but fixed: the ASCII of "tcsweep".
   */
  @Select("select pg_try_advisory_xact_lock(32763135428289904)")
  boolean trySweepLock();

  /**
   * Locks up to {@code limit} tries that stopped proving they are alive: running ones whose last
   * heartbeat is older than the timeout, and enrolled ones that never started within it. Rows
   * another transaction holds are skipped, not waited for.
   */
  @Select("select " + COLUMNS + """
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where ti.state in ('RUNNING', 'QUEUED')
        and case ti.state when 'RUNNING' then coalesce(ti.last_heartbeat_at, ti.start_date, ti.updated_at)
                          else ti.enrolled_at end < now() - #{timeoutMillis} * interval '1 millisecond'
      order by ti.id
      limit #{limit}
      for update of ti skip locked""")
  List<EndingTry> lockStaleTries(@Param("timeoutMillis") long timeoutMillis, @Param("limit") int limit);

  /** Locks the task instances of a dag run whose tries are not finished. */
  @Select("select " + COLUMNS + """
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId}
        and ti.state in ('QUEUED', 'RUNNING', 'DEFERRED', 'UP_FOR_RESCHEDULE', 'UP_FOR_RETRY')
      order by ti.id
      for update of ti""")
  List<EndingTry> lockUnfinishedTriesOfRun(@Param("dagId") String dagId, @Param("runId") String runId);

  /** Locks one task instance, whatever its state; {@code null} if there is none. */
  @Select("select " + COLUMNS + """
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId} and ti.task_id = #{taskId} and ti.map_index = #{mapIndex}
      for update of ti""")
  EndingTry lockTaskInstance(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("mapIndex") int mapIndex);

  /** Moves a try to a final state; call it with the row locked. */
  @Update("""
      update task_instance set state = #{state}, end_date = now(), updated_at = now()
      where id = #{id} and try_number = #{tryNumber}""")
  int end(@Param("id") long id, @Param("tryNumber") int tryNumber, @Param("state") String state);

  /** Revokes every certificate of a try that is not revoked yet; returns their serials. */
  @Select("""
      update issued_certificate set revoked_at = now(), revocation_reason = #{reason}
      where task_instance_id = #{id} and try_number = #{tryNumber} and revoked_at is null
      returning serial_hex""")
  List<String> revokeCertificates(@Param("id") long id, @Param("tryNumber") int tryNumber,
      @Param("reason") String reason);
}
