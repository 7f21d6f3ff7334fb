package dev.taskcert.server.xcom;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL for XComs. */
public interface XComMapper {

  String COLUMNS = "r.dag_id, r.run_id, x.task_id, x.map_index, x.key, x.value::text as value";

  @Update("""
      insert into xcom (dag_run_id, task_id, map_index, key, value, mapped_length, dag_result)
      values ((select id from dag_run where dag_id = #{dagId} and run_id = #{runId}),
              #{taskId}, #{mapIndex}, #{key}, cast(#{value} as jsonb), #{mappedLength}, #{dagResult})
      on conflict (dag_run_id, task_id, map_index, key) do update set
        value = excluded.value, mapped_length = excluded.mapped_length, dag_result = excluded.dag_result,
        created_at = now()""")
  int upsert(@Param("dagId") String dagId, @Param("runId") String runId, @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex, @Param("key") String key, @Param("value") String value,
      @Param("mappedLength") Integer mappedLength, @Param("dagResult") boolean dagResult);

  /**
   * Several upserts in one statement (group commit, see {@link XComWriter}); no two may write the
   * same XCom. Returns the rows written, one per write whose dag run exists.
   */
  @Update("""
      <script>
      insert into xcom (dag_run_id, task_id, map_index, key, value, mapped_length, dag_result)
      select r.id, w.task_id, w.map_index, w.key, cast(w.value as jsonb), w.mapped_length, w.dag_result
        from (values
          <foreach collection="writes" item="w" separator=",">
            (#{w.dagId}, #{w.runId}, #{w.taskId}, cast(#{w.mapIndex} as integer), #{w.key}, #{w.value},
             cast(#{w.mappedLength,jdbcType=INTEGER} as integer), cast(#{w.dagResult} as boolean))
          </foreach>
        ) as w (dag_id, run_id, task_id, map_index, key, value, mapped_length, dag_result)
        join dag_run r on r.dag_id = w.dag_id and r.run_id = w.run_id
      on conflict (dag_run_id, task_id, map_index, key) do update set
        value = excluded.value, mapped_length = excluded.mapped_length, dag_result = excluded.dag_result,
        created_at = now()
      </script>""")
  int upsertAll(@Param("writes") List<XComWrite> writes);

  @Delete("""
      delete from xcom x using dag_run r
      where r.id = x.dag_run_id and r.dag_id = #{dagId} and r.run_id = #{runId}
        and x.task_id = #{taskId} and x.map_index = #{mapIndex} and x.key = #{key}""")
  int delete(@Param("dagId") String dagId, @Param("runId") String runId, @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex, @Param("key") String key);

  @Select("select " + COLUMNS + """
       from xcom x join dag_run r on r.id = x.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId} and x.task_id = #{taskId}
        and x.map_index = #{mapIndex} and x.key = #{key}""")
  XComRow find(@Param("dagId") String dagId, @Param("runId") String runId, @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex, @Param("key") String key);

  /** The newest value in a run of the same DAG whose logical date is not after the given run's. */
  @Select("select " + COLUMNS + """
       from xcom x join dag_run r on r.id = x.dag_run_id
      join dag_run target on target.dag_id = r.dag_id and target.run_id = #{runId}
      where r.dag_id = #{dagId} and x.task_id = #{taskId} and x.map_index = #{mapIndex} and x.key = #{key}
        and coalesce(r.logical_date, r.created_at) <= coalesce(target.logical_date, target.created_at)
      order by coalesce(r.logical_date, r.created_at) desc, r.id desc
      limit 1""")
  XComRow findLatestUpTo(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("mapIndex") int mapIndex, @Param("key") String key);

  /**
   * The mapped values (map index >= 0) of a task under a key in the named run or, with
   * {@code prior}, also in the DAG's runs whose logical date (or creation, for runs without one) is
   * not after the named run's.
   */
  String SEQUENCE = " " + """
      r.dag_id = #{dagId} and x.task_id = #{taskId} and x.key = #{key} and x.map_index >= 0
        and (r.run_id = #{runId} or (#{prior} and coalesce(r.logical_date, r.created_at) <=
          (select coalesce(t.logical_date, t.created_at) from dag_run t where t.dag_id = #{dagId} and t.run_id = #{runId})))""";

  /**
   * The values of the {@link #SEQUENCE} at positions {@code start}, {@code start + step}, ... between
   * {@code lowest} and {@code highest} (positions count from 0 in map-index order, then newest run
   * first), in the step's direction, at most {@code limit} of them: only the selected rows are read,
   * however far apart they are.
   */
  @Select("""
      with positions as (
        select x.dag_run_id, x.map_index,
               row_number() over (order by x.map_index, coalesce(r.logical_date, r.created_at) desc, r.id desc) - 1
                 as position
        from xcom x join dag_run r on r.id = x.dag_run_id
        where""" + SEQUENCE + """
      )
      select r.dag_id, r.run_id, x.task_id, x.map_index, x.key, x.value::text as value
      from positions p
      join xcom x on x.dag_run_id = p.dag_run_id and x.task_id = #{taskId} and x.map_index = p.map_index
        and x.key = #{key}
      join dag_run r on r.id = x.dag_run_id
      where p.position between #{lowest} and #{highest} and (p.position - #{start}) % #{step} = 0
      order by p.position * #{direction}
      limit #{limit}""")
  List<XComRow> sequenceEvery(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("key") String key, @Param("prior") boolean prior,
      @Param("lowest") long lowest, @Param("highest") long highest, @Param("start") long start,
      @Param("step") long step, @Param("direction") int direction, @Param("limit") int limit);

  /** Number of values in the {@link #SEQUENCE}. */
  @Select("select count(*) from xcom x join dag_run r on r.id = x.dag_run_id where" + SEQUENCE)
  long sequenceCount(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("key") String key, @Param("prior") boolean prior);

  /** Map indexes that have a value under the key (any, including -1), ascending. */
  @Select("""
      select x.map_index from xcom x join dag_run r on r.id = x.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId} and x.task_id = #{taskId} and x.key = #{key}
      order by x.map_index""")
  List<Integer> mapIndexes(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("key") String key);

  /** Keys a task instance has stored, for clearing at the start of a new try. */
  @Select("""
      select distinct x.key from xcom x join dag_run r on r.id = x.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId} and x.task_id = #{taskId} and x.map_index = #{mapIndex}
      order by x.key""")
  List<String> keysOf(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("mapIndex") int mapIndex);
}
