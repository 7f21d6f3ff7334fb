package dev.taskcert.server.audit;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for the append-only audit trail. */
public interface AuditMapper {

  @Insert("""
      insert into audit_event (kind, principal, rpc, resource, detail)
      values (#{kind}, #{principal}, #{rpc}, #{resource}, #{detail})""")
  void insert(
      @Param("kind") String kind,
      @Param("principal") String principal,
      @Param("rpc") String rpc,
      @Param("resource") String resource,
      @Param("detail") String detail);

  @Select("""
      select id, at, kind, principal, rpc, resource, detail from audit_event
      order by id desc limit #{limit}""")
  List<AuditEventRow> newest(@Param("limit") int limit);

  @Select("""
      select id, at, kind, principal, rpc, resource, detail from audit_event
      where id < #{beforeId} order by id desc limit #{limit}""")
  List<AuditEventRow> olderThan(@Param("beforeId") long beforeId, @Param("limit") int limit);
}
