package dev.taskcert.server.enrollment;

import dev.taskcert.server.liveness.TryEndingMapper;
import java.time.Instant;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for enrollment tokens, which exist only as SHA-256 hashes. */
public interface EnrollmentTokenMapper {

  @Insert("""
      insert into enrollment_token (token_hash, task_instance_id, try_number, execution_generation, expires_at)
      values (#{hash}, #{taskInstanceId}, #{tryNumber}, #{generation}, #{expiresAt})""")
  void insert(
      @Param("hash") byte[] hash,
      @Param("taskInstanceId") long taskInstanceId,
      @Param("tryNumber") int tryNumber,
      @Param("generation") int generation,
      @Param("expiresAt") Instant expiresAt);

  /**
   * The token with this hash and the try it was minted for, with all enrollment needs of that try
   * in one indexed read: whether the token is still redeemable (neither used, voided nor expired,
   * by the database's clock, which every replica shares), the task instance's current try,
   * execution and state, and when the try's maximum duration ({@code maxMillis}, or the DAG's
   * shorter one) ends. {@code null} for an unknown token. Nothing is changed or locked: the
   * statement that redeems the token checks all of it again ({@link IssuedCertificateMapper#enroll}).
   */
  @Select("""
      select t.used_at is null and t.voided_at is null and t.expires_at > now() as redeemable,
             t.try_number as token_try_number, t.execution_generation as token_generation,
             ti.id, r.dag_id, r.run_id, ti.task_id, ti.map_index, ti.try_number, ti.execution_generation, ti.state,
      """ + TryEndingMapper.TRY_DEADLINE + """
       as try_deadline, now() as database_now
      from enrollment_token t
      join task_instance ti on ti.id = t.task_instance_id
      join dag_run r on r.id = ti.dag_run_id
      join dag d on d.dag_id = r.dag_id
      where t.token_hash = #{hash}""")
  TokenTry lookup(@Param("hash") byte[] hash, @Param("maxMillis") long maxMillis);
}
