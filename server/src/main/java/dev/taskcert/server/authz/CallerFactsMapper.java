package dev.taskcert.server.authz;

import dev.taskcert.server.liveness.TryEndingMapper;
import dev.taskcert.server.revocation.RevocationMapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/**
 * SQL for everything the gates decide a task's call on, read in one query: whether the caller's
 * certificate is revoked and which execution it was issued for, the caller's task instance, its
 * DAG's owner and declarations, and when its try reaches its maximum duration.
 */
public interface CallerFactsMapper {

  /**
   * The caller's facts as one row, whatever exists: a {@link CallerFactsRow}. Parameters: the
   * certificate's {@code serial}; the caller's {@code dagId}, {@code runId}, {@code taskId} and
   * {@code mapIndex}; the server's {@code maxMillis} for a try. Statements that check the gate
   * with their own work read it as their first {@code WITH} query.
   */
  String FACTS = "select " + RevocationMapper.REVOKED + " as revoked,"
      + """
        (select c.execution_generation from issued_certificate c where c.serial_hex = #{serial})
          as certificate_generation,
        ti.id, ti.try_number, ti.max_tries, ti.state, ti.hostname, ti.pid, ti.start_date, ti.end_date,
        ti.execution_generation, ti.updated_at,
        d.dag_id is not null as dag_registered, t.name as team, d.declares_resources, d.allowed_connection_ids,
        d.allowed_variable_patterns, d.xcom_read_scope,
      """
      + TryEndingMapper.TRY_DEADLINE + " as try_deadline, now() as database_now"
      + """

      from (select 1) as caller
      left join (task_instance ti join dag_run r on r.id = ti.dag_run_id)
        on r.dag_id = #{dagId} and r.run_id = #{runId} and ti.task_id = #{taskId} and ti.map_index = #{mapIndex}
      left join (dag d join dag_bundle b on b.id = d.bundle_id left join team t on t.id = b.team_id)
        on d.dag_id = #{dagId}
      """;

  @Select(FACTS)
  CallerFactsRow read(
      @Param("serial") String serialHex,
      @Param("dagId") String dagId,
      @Param("runId") String runId,
      @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex,
      @Param("maxMillis") long maxMillis);
}
