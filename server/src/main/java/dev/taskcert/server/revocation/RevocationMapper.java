package dev.taskcert.server.revocation;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for revoking issued certificates and asking whether one is revoked. */
public interface RevocationMapper {
  /**
   * Whether the certificate serial in parameter {@code serial} is revoked, whether the CA recorded
   * it or not: a boolean expression, for every statement that asks.
   */
  String REVOKED = """
      (exists (select 1 from issued_certificate where serial_hex = #{serial} and revoked_at is not null)
       or exists (select 1 from revoked_serial where serial_hex = #{serial}))""";

  @Select("select " + REVOKED)
  boolean isRevoked(@Param("serial") String serialHex);

  /** Records the revocation of a serial the CA did not record; returns it if newly revoked. */
  @Select("""
      insert into revoked_serial (serial_hex, revoked_at, reason)
      select #{serial}, #{now}, #{reason}
      where not exists (select 1 from issued_certificate where serial_hex = #{serial})
      on conflict (serial_hex) do nothing
      returning serial_hex""")
  List<String> revokeUnrecordedSerial(@Param("serial") String serialHex, @Param("reason") String reason,
      @Param("now") Instant now);

  /**
   * Revokes a recorded serial and every certificate renewed from it, directly or through other
   * renewals; returns the serials newly revoked. Call {@link #lockTaskInstanceOfSerial} first in
   * the same transaction, so a renewal from one of them cannot commit a certificate this misses.
   */
  @Select("""
      with recursive lineage(serial_hex) as (
        select serial_hex from issued_certificate where serial_hex = #{serial}
        union
        select c.serial_hex from issued_certificate c join lineage l on c.renewed_from = l.serial_hex)
      update issued_certificate set revoked_at = #{now}, revocation_reason = #{reason}
      where serial_hex in (select serial_hex from lineage) and revoked_at is null
      returning serial_hex""")
  List<String> revokeSerial(@Param("serial") String serialHex, @Param("reason") String reason,
      @Param("now") Instant now);

  /**
   * Locks the task instance a recorded serial was issued for, for the rest of the transaction
   * (renewal holds the same lock while it checks the caller's certificate and records the new one);
   * returns its id, or {@code null} for a serial of no task.
   */
  @Select("""
      select ti.id from task_instance ti
      where ti.id = (select task_instance_id from issued_certificate where serial_hex = #{serial})
      for update of ti""")
  Long lockTaskInstanceOfSerial(@Param("serial") String serialHex);

  /**
   * Locks the task instance of a try for the rest of the transaction and returns its id, or
   * {@code null} if there is none. Renewal holds the same lock while it checks that the caller's
   * certificate is not revoked and records the new one, so revoking a try and renewing one of its
   * certificates cannot interleave: either the renewal comes first and its certificate is revoked
   * too, or the revocation comes first and the renewal is refused.
   */
  @Select("""
      select ti.id from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where r.dag_id = #{dagId} and r.run_id = #{runId} and ti.task_id = #{taskId} and ti.map_index = #{mapIndex}
      for update of ti""")
  Long lockTaskInstance(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("mapIndex") int mapIndex);

  /** Revokes every certificate of a try; call {@link #lockTaskInstance} first in the same transaction. */
  @Select("""
      update issued_certificate c set revoked_at = #{now}, revocation_reason = #{reason}
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where c.task_instance_id = ti.id and c.try_number = #{tryNumber} and c.revoked_at is null
        and r.dag_id = #{dagId} and r.run_id = #{runId} and ti.task_id = #{taskId} and ti.map_index = #{mapIndex}
      returning c.serial_hex""")
  List<String> revokeTry(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("mapIndex") int mapIndex, @Param("tryNumber") int tryNumber,
      @Param("reason") String reason, @Param("now") Instant now);

  /**
   * Voids the try's enrollment tokens not yet redeemed, so revoking a try that is still queued also
   * stops it from enrolling; returns how many. A voided token is flagged rather than given an
   * expiry from this replica's clock, so no replica, whatever its clock, redeems it. Call it before
   * {@link #lockTaskInstance}: enrollment takes the token row, then the task instance, and so must
   * this, or the two could deadlock.
   */
  @Select("""
      with voided as (
        update enrollment_token t set voided_at = now()
        from task_instance ti join dag_run r on r.id = ti.dag_run_id
        where t.task_instance_id = ti.id and t.try_number = #{tryNumber} and t.used_at is null
          and t.voided_at is null and t.expires_at > now()
          and r.dag_id = #{dagId} and r.run_id = #{runId} and ti.task_id = #{taskId} and ti.map_index = #{mapIndex}
        returning 1)
      select count(*) from voided""")
  int voidUnredeemedTokens(@Param("dagId") String dagId, @Param("runId") String runId,
      @Param("taskId") String taskId, @Param("mapIndex") int mapIndex, @Param("tryNumber") int tryNumber);

  /** Serials revoked and not yet expired, for a CRL. */
  @Select("select serial_hex from issued_certificate where revoked_at is not null and not_after > #{now}")
  List<String> revokedUnexpired(@Param("now") Instant now);
}
