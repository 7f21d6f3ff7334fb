package dev.taskcert.server.catalog;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for DAGs' declared structure ({@code dag_task}). */
public interface DagStructureMapper {

  @Delete("delete from dag_task where dag_id = #{dagId}")
  int deleteTasks(@Param("dagId") String dagId);

  @Insert("""
      <script>
      insert into dag_task (dag_id, task_id, downstream_task_ids) values
      <foreach item="task" collection="tasks" separator=",">
        (#{dagId}, #{task.taskId},
         #{task.downstreamTaskIds, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler})
      </foreach>
      </script>""")
  int insertTasks(@Param("dagId") String dagId, @Param("tasks") List<DeclaredTask> tasks);

  /** Whether the DAG declares its structure. */
  @Select("select exists (select 1 from dag_task where dag_id = #{dagId})")
  boolean declaresStructure(@Param("dagId") String dagId);

  /**
   * Every task transitively downstream of {@code taskId} in the DAG's declared structure (empty
   * when the task is not declared).
   */
  @Select("""
      with recursive downstream(task_id) as (
        select next.task_id
        from dag_task t cross join unnest(t.downstream_task_ids) as next(task_id)
        where t.dag_id = #{dagId} and t.task_id = #{taskId}
        union
        select next.task_id
        from downstream d join dag_task t on t.dag_id = #{dagId} and t.task_id = d.task_id
        cross join unnest(t.downstream_task_ids) as next(task_id)
      )
      select task_id from downstream""")
  List<String> downstreamOf(@Param("dagId") String dagId, @Param("taskId") String taskId);
}
