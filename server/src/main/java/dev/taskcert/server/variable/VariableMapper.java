package dev.taskcert.server.variable;

import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL for variables. */
public interface VariableMapper {

  @Select("""
      select v.key, v.value, t.name as team
      from variable v left join team t on t.id = v.team_id
      where v.key = #{key}""")
  VariableRow find(@Param("key") String key);

  @Update("""
      insert into variable (key, value, description, team_id)
      values (#{key}, #{value}, #{description}, (select id from team where name = #{team}))
      on conflict (key) do update set
        value = excluded.value, description = excluded.description, team_id = excluded.team_id,
        updated_at = now()""")
  int upsert(
      @Param("key") String key,
      @Param("value") String value,
      @Param("description") String description,
      @Param("team") String team);
}
