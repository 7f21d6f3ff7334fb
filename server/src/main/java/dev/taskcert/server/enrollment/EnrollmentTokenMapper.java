package dev.taskcert.server.enrollment;

import java.time.Instant;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for enrollment tokens, which exist only as SHA-256 hashes. */
public interface EnrollmentTokenMapper {

  @Insert("""
      insert into enrollment_token (token_hash, task_instance_id, try_number, expires_at)
      values (#{hash}, #{taskInstanceId}, #{tryNumber}, #{expiresAt})""")
  void insert(
      @Param("hash") byte[] hash,
      @Param("taskInstanceId") long taskInstanceId,
      @Param("tryNumber") int tryNumber,
      @Param("expiresAt") Instant expiresAt);

  /**
   * Marks an unused, unexpired token used and returns what it was for, in one statement, so two
   * concurrent redemptions cannot both succeed. Returns {@code null} if no such token exists.
   */
  @Select("""
      update enrollment_token set used_at = #{now}
      where token_hash = #{hash} and used_at is null and expires_at > #{now}
      returning task_instance_id, try_number""")
  RedeemedToken consume(@Param("hash") byte[] hash, @Param("now") Instant now);

  /** What a redeemed token was minted for. */
  record RedeemedToken(long taskInstanceId, int tryNumber) {}
}
