package dev.taskcert.server.variable;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
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

  /**
   * Creates variable {@code key} owned by {@code team} ({@code null} = global), or replaces its
   * value and description only while it is still owned by {@code team}: one statement, so a
   * concurrent writer can never take over a row another team created a moment earlier. Returns 0
   * when the existing row belongs to someone else.
   */
  @Update("""
      insert into variable (key, value, description, team_id)
      values (#{key}, #{value}, #{description}, (select id from team where name = #{team}))
      on conflict (key) do update set
        value = excluded.value, description = excluded.description, updated_at = now()
      where variable.team_id is not distinct from excluded.team_id""")
  int upsertOwned(
      @Param("key") String key,
      @Param("value") String value,
      @Param("description") String description,
      @Param("team") String team);

  /** Deletes variable {@code key} only while it is owned by {@code team} ({@code null} = global). */
  @Delete("""
      delete from variable
      where key = #{key} and team_id is not distinct from (select id from team where name = #{team})""")
  int deleteOwned(@Param("key") String key, @Param("team") String team);

  @Delete("delete from variable where key = #{key}")
  int delete(@Param("key") String key);

  /**
   * Keys starting with {@code prefix} after {@code after} in key order that a caller of
   * {@code team} may see ({@code team = null} sees global variables only; {@code allTeams} sees all).
   */
  @Select("""
      <script>
      select v.key from variable v left join team t on t.id = v.team_id
      where v.key like #{likePrefix} escape '\\' and v.key &gt; #{after}
      <if test="!allTeams">and (v.team_id is null or t.name = #{team})</if>
      order by v.key collate "C" limit #{limit}
      </script>""")
  List<String> keys(@Param("likePrefix") String likePrefix, @Param("after") String after,
      @Param("team") String team, @Param("allTeams") boolean allTeams, @Param("limit") int limit);
}
