package dev.taskcert.server.dagrun;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL for the dag runs tasks read, trigger and clear. */
public interface DagRunMapper {

  String COLUMNS = """
      r.dag_id, r.run_id, r.logical_date, r.data_interval_start, r.data_interval_end, r.created_at,
      r.end_date, r.run_type, r.state, r.conf::text as conf_json
      """;

  @Select("select " + COLUMNS + " from dag_run r where r.dag_id = #{dagId} and r.run_id = #{runId}")
  DagRunDetail find(@Param("dagId") String dagId, @Param("runId") String runId);

  @Select("""
      <script>
      select count(*) from dag_run r where r.dag_id = #{dagId}
      <if test="logicalDates.size() > 0">
        and r.logical_date in <foreach item="d" collection="logicalDates" open="(" separator="," close=")">#{d}</foreach>
      </if>
      <if test="runIds.size() > 0">
        and r.run_id in <foreach item="id" collection="runIds" open="(" separator="," close=")">#{id}</foreach>
      </if>
      <if test="states.size() > 0">
        and r.state in <foreach item="s" collection="states" open="(" separator="," close=")">#{s}</foreach>
      </if>
      </script>""")
  long count(@Param("dagId") String dagId, @Param("logicalDates") List<Instant> logicalDates,
      @Param("runIds") List<String> runIds, @Param("states") List<String> states);

  @Select("""
      <script>
      select\s""" + COLUMNS + """
      from dag_run r where r.dag_id = #{dagId} and r.logical_date &lt; #{before}
      <if test="state != null">and r.state = #{state}</if>
      order by r.logical_date desc, r.id desc limit 1
      </script>""")
  DagRunDetail previous(@Param("dagId") String dagId, @Param("before") Instant before, @Param("state") String state);

  @Select("select is_paused from dag where dag_id = #{dagId}")
  boolean isPaused(@Param("dagId") String dagId);

  /** Creates a QUEUED manual run; {@code null} when the run id exists. */
  @Select("""
      insert into dag_run (dag_id, run_id, logical_date, data_interval_start, data_interval_end, run_type, conf, state)
      values (#{dagId}, #{runId}, #{logicalDate}, #{logicalDate}, #{logicalDate}, 'manual', cast(#{confJson} as jsonb), 'queued')
      on conflict (dag_id, run_id) do nothing
      returning id""")
  Long insertQueued(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("logicalDate") Instant logicalDate, @Param("confJson") String confJson);

  /** Moves a run back to QUEUED; returns how many runs changed (0: no such run). */
  @Update("""
      update dag_run set state = 'queued', end_date = null
      where dag_id = #{dagId} and run_id = #{runId}""")
  int requeue(@Param("dagId") String dagId, @Param("runId") String runId);

  /** Whether a run of {@code dagId} with this logical date exists. */
  @Select("""
      select count(*) > 0 from dag_run
      where dag_id = #{dagId} and logical_date = #{logicalDate}""")
  boolean logicalDateTaken(@Param("dagId") String dagId, @Param("logicalDate") Instant logicalDate);
}
