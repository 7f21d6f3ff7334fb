package dev.taskcert.server.audit;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for the append-only audit trail. */
public interface AuditMapper {
  /**
   * The head of the insert of one event. A statement that records its event together with its own
   * work follows it with {@code select }{@link #EVENT}{@code  from} the part of its work that must
   * have happened, so the event is stored exactly when that work is.
   */
  String INSERT = "insert into audit_event (kind, principal, rpc, resource, detail)\n";

  /** The fields of the event in the statement's parameter {@code event}, an {@link AuditEvent}. */
  String EVENT = "#{event.kind}, #{event.principal}, #{event.rpc}, #{event.resource}, #{event.detail}";

  @Insert(INSERT + "values (" + EVENT + ")")
  void insert(@Param("event") AuditEvent event);

  @Select("""
      select id, at, kind, principal, rpc, resource, detail from audit_event
      order by id desc limit #{limit}""")
  List<AuditEventRow> newest(@Param("limit") int limit);

  @Select("""
      select id, at, kind, principal, rpc, resource, detail from audit_event
      where id < #{beforeId} order by id desc limit #{limit}""")
  List<AuditEventRow> olderThan(@Param("beforeId") long beforeId, @Param("limit") int limit);
}
