package dev.taskcert.server.connection;

import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL for connections. */
public interface ConnectionMapper {

  @Select("""
      select c.conn_id, t.name as team, c.conn_type, c.host, c.schema_name, c.login,
             c.password_encrypted, c.port, c.extra::text as extra, c.extra_sealed
      from connection c left join team t on t.id = c.team_id
      where c.conn_id = #{connId}""")
  ConnectionRow find(@Param("connId") String connId);

  @Update("""
      insert into connection (conn_id, team_id, conn_type, host, schema_name, login, password_encrypted, port, extra,
                              extra_sealed)
      values (#{c.connId}, (select id from team where name = #{c.team}), #{c.connType}, #{c.host}, #{c.schemaName},
              #{c.login}, #{c.passwordEncrypted}, #{c.port}, cast(#{c.extra} as jsonb), #{c.extraSealed})
      on conflict (conn_id) do update set
        team_id = excluded.team_id, conn_type = excluded.conn_type, host = excluded.host,
        schema_name = excluded.schema_name, login = excluded.login,
        password_encrypted = excluded.password_encrypted, port = excluded.port, extra = excluded.extra,
        extra_sealed = excluded.extra_sealed,
        updated_at = now()""")
  int upsert(@Param("c") ConnectionRow connection);

  @Delete("delete from connection where conn_id = #{connId}")
  int delete(@Param("connId") String connId);
}
