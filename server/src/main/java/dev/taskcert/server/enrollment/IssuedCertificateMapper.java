package dev.taskcert.server.enrollment;

import dev.taskcert.server.audit.AuditEvent;
import dev.taskcert.server.audit.AuditMapper;
import dev.taskcert.server.liveness.TryEndingMapper;
import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/**
 * SQL for the record of every certificate the CA issued. A certificate is recorded by one
 * statement that also checks, under the row locks, that the try may still have it: the
 * certificate, its audit event and the try's effects are stored all together or not at all.
 */
public interface IssuedCertificateMapper {

  /**
   * The end of a statement that records a certificate, after a first {@code WITH} query named
   * {@code checked} that locked the try and checked it may have the certificate: one row (its
   * {@code id}, {@code try_number}, {@code execution_generation}), or none when a check failed. For
   * that row only, it starts the try's clock at its first certificate, records the certificate
   * (parameters {@code serialHex}, {@code spiffeId}, {@code notBefore}, {@code notAfter}, {@code
   * renewedFrom}) and stores its audit {@code event}; it answers how many certificates it recorded.
   */
  String RECORD = """
        started as (
          update task_instance ti set enrolled_at = coalesce(ti.enrolled_at, now())
          from checked c
          where ti.id = c.id
          returning ti.id),
        issued as (
          insert into issued_certificate
            (serial_hex, task_instance_id, try_number, execution_generation, spiffe_id, not_before, not_after,
             renewed_from)
          select #{serialHex}, c.id, c.try_number, c.execution_generation, #{spiffeId},
                 cast(#{notBefore} as timestamptz), cast(#{notAfter} as timestamptz), cast(#{renewedFrom} as text)
          from checked c
          returning serial_hex),
        audited as (
      """ + AuditMapper.INSERT + "select " + AuditMapper.EVENT + """
       from issued
          returning id)
      select count(*) from issued""";

  /**
   * Redeems enrollment token {@code hash} for the certificate signed for try {@code tryNumber}, in
   * one statement: locks the token and the try (in that order, as revocation does) and checks,
   * on their current rows, that the token is neither used, voided nor expired, that it was minted
   * for the try's current try and execution, that the try is QUEUED and that its maximum duration
   * ({@code maxMillis}, or the DAG's shorter one) reaches {@code validUntil}, the certificate's end
   * by the database's clock; then marks the token used and records the certificate ({@link
   * #RECORD}). Answers 1, or 0 when a check failed and nothing changed.
   *
   * <p>The state check is written so that the partial index of live tries cannot serve it: after
   * a burst of queued tries, statistics taken before it make QUEUED look rare, and the planner
   * would scan every queued try for each enrollment instead of following the token to its try.
   */
  @Select("""
      with checked as (
          select ti.id, ti.try_number, ti.execution_generation
          from enrollment_token t
          join task_instance ti on ti.id = t.task_instance_id
          join dag_run r on r.id = ti.dag_run_id
          join dag d on d.dag_id = r.dag_id
          where t.token_hash = #{hash} and t.used_at is null and t.voided_at is null and t.expires_at > now()
            and ti.try_number = t.try_number and ti.execution_generation = t.execution_generation
            and ti.try_number = #{tryNumber} and coalesce(ti.state, '') = 'QUEUED'
            and """ + TryEndingMapper.TRY_DEADLINE + """
       >= cast(#{validUntil} as timestamptz)
          for update of t, ti),
        consumed as (
          update enrollment_token t set used_at = now()
          from checked c
          where t.token_hash = #{hash}
          returning t.token_hash),
      """ + RECORD)
  int enroll(
      @Param("hash") byte[] hash,
      @Param("tryNumber") int tryNumber,
      @Param("maxMillis") long maxMillis,
      @Param("validUntil") Instant validUntil,
      @Param("serialHex") String serialHex,
      @Param("spiffeId") String spiffeId,
      @Param("notBefore") Instant notBefore,
      @Param("notAfter") Instant notAfter,
      @Param("renewedFrom") String renewedFrom,
      @Param("event") AuditEvent event);

  /**
   * Records the certificate renewed from the caller's certificate {@code renewedFrom} for its try
   * {@code tryNumber} of (dag, run, task, map index), in one statement: locks the try, then the
   * caller's certificate (the order revocation takes them in, so a revocation that committed while
   * this statement waited for the try is seen on the certificate's row), and checks that the try
   * is the current one, in one of {@code states}, of the execution the certificate was issued for,
   * that the certificate is not revoked, and that the try's maximum duration reaches {@code
   * validUntil}; then records the certificate ({@link #RECORD}). Answers 1, or 0 when a check
   * failed and nothing changed.
   */
  @Select("""
      with locked as (
          select ti.id, ti.try_number, ti.execution_generation, ti.state,
      """ + TryEndingMapper.TRY_DEADLINE + """
       as try_deadline
          from task_instance ti
          join dag_run r on r.id = ti.dag_run_id
          join dag d on d.dag_id = r.dag_id
          where r.dag_id = #{dagId} and r.run_id = #{runId} and ti.task_id = #{taskId} and ti.map_index = #{mapIndex}
          for update of ti),
        presented as (
          select c.revoked_at, c.execution_generation
          from locked l join issued_certificate c on c.serial_hex = #{renewedFrom}
          for update of c),
        checked as (
          select l.id, l.try_number, l.execution_generation
          from locked l
          where l.try_number = #{tryNumber}
            and l.state = any(#{states,typeHandler=dev.taskcert.server.db.TextArrayTypeHandler})
            and not exists (select 1 from presented p where p.revoked_at is not null)
            and not exists (select 1 from revoked_serial s where s.serial_hex = #{renewedFrom})
            and (l.execution_generation = 1 or l.execution_generation = (select p.execution_generation from presented p))
            and l.try_deadline >= cast(#{validUntil} as timestamptz)),
      """ + RECORD)
  int renew(
      @Param("dagId") String dagId,
      @Param("runId") String runId,
      @Param("taskId") String taskId,
      @Param("mapIndex") int mapIndex,
      @Param("tryNumber") int tryNumber,
      @Param("states") List<String> states,
      @Param("maxMillis") long maxMillis,
      @Param("validUntil") Instant validUntil,
      @Param("serialHex") String serialHex,
      @Param("spiffeId") String spiffeId,
      @Param("notBefore") Instant notBefore,
      @Param("notAfter") Instant notAfter,
      @Param("renewedFrom") String renewedFrom,
      @Param("event") AuditEvent event);

  /** The execution generation a certificate was issued for; {@code null} for a serial never issued to a task. */
  @Select("select execution_generation from issued_certificate where serial_hex = #{serialHex}")
  Integer generationOf(@Param("serialHex") String serialHex);
}
