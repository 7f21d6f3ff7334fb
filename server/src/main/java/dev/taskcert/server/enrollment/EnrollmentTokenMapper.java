package dev.taskcert.server.enrollment;

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
   * Whether a token with this hash exists and is neither used, voided nor expired: the cheap check
   * enrollment makes before it looks at the CSR. Expiry is judged by the database's clock, which
   * every replica shares.
   */
  @Select("""
      select exists (select 1 from enrollment_token
          where token_hash = #{hash} and used_at is null and voided_at is null and expires_at > now())""")
  boolean isRedeemable(@Param("hash") byte[] hash);

  /**
   * Marks an unused, unvoided, unexpired token used and returns what it was for, in one statement,
   * so two concurrent redemptions cannot both succeed. Returns {@code null} if no such token
   * exists. Expiry is judged by the database's clock, not this replica's.
   */
  @Select("""
      update enrollment_token set used_at = now()
      where token_hash = #{hash} and used_at is null and voided_at is null and expires_at > now()
      returning task_instance_id, try_number, execution_generation""")
  RedeemedToken consume(@Param("hash") byte[] hash);

  /** What a redeemed token was minted for. */
  record RedeemedToken(long taskInstanceId, int tryNumber, int executionGeneration) {}
}
