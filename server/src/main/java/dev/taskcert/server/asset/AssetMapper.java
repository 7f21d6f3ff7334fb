package dev.taskcert.server.asset;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for assets, asset aliases and asset events. */
public interface AssetMapper {
  /** The columns of an {@link AssetEventRow}, from asset_event {@code e} joined to asset {@code a}. */
  String EVENT_COLUMNS = """
      select e.id, e.timestamp, e.extra::text as extra, a.name as asset_name, a.uri as asset_uri,
             a.asset_group as asset_group, a.extra::text as asset_extra, e.source_dag_id, e.source_run_id,
             e.source_task_id, e.source_map_index
      """;

  /** An event listing's time range (after, before), order (ascending) and limit, closing the script. */
  String EVENT_RANGE_AND_ORDER = """
      <if test="after != null">and e.timestamp &gt;= #{after}</if>
      <if test="before != null">and e.timestamp &lt;= #{before}</if>
      <choose>
        <when test="ascending">order by e.timestamp asc, e.id asc</when>
        <otherwise>order by e.timestamp desc, e.id desc</otherwise>
      </choose>
      limit #{limit}
      </script>""";


  /** The asset with {@code name} and/or {@code uri} (an empty one is not compared), or {@code null}. */
  @Select("""
      <script>
      select a.id, a.name, a.uri, a.asset_group, a.extra::text as extra, t.name as team, a.shared_with_teams
      from asset a left join team t on t.id = a.team_id
      <where>
        <if test="name != ''">a.name = #{name}</if>
        <if test="uri != ''">and a.uri = #{uri}</if>
      </where>
      </script>""")
  AssetRow find(@Param("name") String name, @Param("uri") String uri);

  /** Creates asset {@code name} or updates it; returns whether it was new. */
  @Select("""
      insert into asset (name, uri, asset_group, extra, team_id, shared_with_teams)
      values (#{name}, #{uri}, #{group}, cast(#{extra} as jsonb), (select id from team where name = #{team}),
              #{sharedWith, typeHandler=dev.taskcert.server.db.TextArrayTypeHandler})
      on conflict (name) do update set
        uri = excluded.uri, asset_group = excluded.asset_group, extra = excluded.extra,
        team_id = excluded.team_id, shared_with_teams = excluded.shared_with_teams, updated_at = now()
      returning (xmax = 0)""")
  boolean register(@Param("name") String name, @Param("uri") String uri, @Param("group") String group,
      @Param("extra") String extra, @Param("team") String team, @Param("sharedWith") List<String> sharedWith);

  /** Records an event of asset {@code assetId}; returns its id. */
  @Select("""
      insert into asset_event (asset_id, extra, source_dag_id, source_run_id, source_task_id, source_map_index,
                               timestamp)
      values (#{assetId}, cast(#{extra} as jsonb), #{dagId}, #{runId}, #{taskId}, #{mapIndex}, #{timestamp})
      returning id""")
  long insertEvent(@Param("assetId") long assetId, @Param("extra") String extra, @Param("dagId") String dagId,
      @Param("runId") String runId, @Param("taskId") String taskId, @Param("mapIndex") int mapIndex,
      @Param("timestamp") Instant timestamp);

  /** The id of alias {@code name}, created if it is new. */
  @Select("""
      insert into asset_alias (name) values (#{name})
      on conflict (name) do update set name = excluded.name
      returning id""")
  long aliasId(@Param("name") String name);

  @Insert("insert into asset_alias_event (alias_id, event_id) values (#{aliasId}, #{eventId}) on conflict do nothing")
  int linkAlias(@Param("aliasId") long aliasId, @Param("eventId") long eventId);

  /** Events of asset {@code assetId} in the time range, by timestamp (then id). */
  @Select("<script>" + EVENT_COLUMNS + """
      from asset_event e join asset a on a.id = e.asset_id
      where e.asset_id = #{assetId}
      """ + EVENT_RANGE_AND_ORDER)
  List<AssetEventRow> events(@Param("assetId") long assetId, @Param("after") Instant after,
      @Param("before") Instant before, @Param("ascending") boolean ascending, @Param("limit") int limit);

  /**
   * Events recorded through alias {@code alias} of assets a caller of {@code team} may see
   * ({@code allTeams}: every asset), in the time range, by timestamp (then id).
   */
  @Select("<script>" + EVENT_COLUMNS + """
      from asset_alias al
      join asset_alias_event ae on ae.alias_id = al.id
      join asset_event e on e.id = ae.event_id
      join asset a on a.id = e.asset_id
      left join team t on t.id = a.team_id
      where al.name = #{alias}
      <if test="!allTeams">
        and (a.team_id is null or t.name = #{team} or #{team} = any(a.shared_with_teams))
      </if>
      """ + EVENT_RANGE_AND_ORDER)
  List<AssetEventRow> eventsByAlias(@Param("alias") String alias, @Param("team") String team,
      @Param("allTeams") boolean allTeams, @Param("after") Instant after, @Param("before") Instant before,
      @Param("ascending") boolean ascending, @Param("limit") int limit);
}
