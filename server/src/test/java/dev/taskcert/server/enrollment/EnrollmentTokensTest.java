package dev.taskcert.server.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class EnrollmentTokensTest {
  /** Yields 0xF8 (base64url '-' as the first character) for its first draw, then real randomness. */
  private static final class DashFirst extends SecureRandom {
    private int draws;

    @Override
    public void nextBytes(byte[] bytes) {
      super.nextBytes(bytes);
      if (draws++ == 0) {
        bytes[0] = (byte) 0xF8;
      }
    }
  }

  @Test
  void aTokenThatWouldStartWithADashIsRedrawn() {
    DashFirst random = new DashFirst();
    String token = new EnrollmentTokens(random).mint();
    assertEquals(2, random.draws, "the first draw starts with '-' and must be replaced");
    assertNotEquals('-', token.charAt(0));
    assertTrue(EnrollmentTokens.isWellFormed(token), token);
  }

  @Test
  void mintedTokensAreWellFormedAndNeverLookLikeAnOption() {
    EnrollmentTokens tokens = new EnrollmentTokens(new SecureRandom());
    for (int i = 0; i < 2000; i++) {
      String token = tokens.mint();
      assertEquals(EnrollmentTokens.TOKEN_LENGTH, token.length());
      assertTrue(EnrollmentTokens.isWellFormed(token), token);
      assertNotEquals('-', token.charAt(0), token);
    }
  }
}
