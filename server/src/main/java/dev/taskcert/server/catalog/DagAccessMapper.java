package dev.taskcert.server.catalog;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for the teams a DAG declares as readers or triggerers ({@code dag_team_access}). */
public interface DagAccessMapper {

  @Select("select team_name from dag_team_access where dag_id = #{dagId} and access = #{access} order by team_name")
  List<String> teams(@Param("dagId") String dagId, @Param("access") String access);

  @org.apache.ibatis.annotations.Update("update dag set is_paused = #{paused} where dag_id = #{dagId}")
  int setPaused(@Param("dagId") String dagId, @Param("paused") boolean paused);

  @Delete("delete from dag_team_access where dag_id = #{dagId}")
  int delete(@Param("dagId") String dagId);

  @Insert("""
      <script>
      insert into dag_team_access (dag_id, access, team_name)
      select #{dagId}, #{access}, t.name
      from unnest(array[<foreach item="team" collection="teams" separator=",">#{team}</foreach>]::text[]) as t(name)
      on conflict do nothing
      </script>""")
  int insert(@Param("dagId") String dagId, @Param("access") String access, @Param("teams") List<String> teams);
}
