package dev.taskcert.server.enrollment;

import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Mints enrollment tokens (256 random bits, base64url without padding: 43 characters) and hashes
 * them for storage. The server keeps only the SHA-256 hash, so a database leak reveals no token.
 * A minted token never starts with {@code -}, so command lines (argparse, picocli) never mistake
 * it for an option.
 */
public final class EnrollmentTokens {
  /** Length of a token's text form. */
  public static final int TOKEN_LENGTH = 43;

  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{" + TOKEN_LENGTH + "}");

  private final SecureRandom random;

  @Inject
  EnrollmentTokens(SecureRandom random) {
    this.random = random;
  }

  /** A fresh token. */
  public String mint() {
    byte[] bytes = new byte[32];
    String token;
    do {
      random.nextBytes(bytes);
      token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (token.charAt(0) == '-');
    return token;
  }

  /** Whether the text has the shape of a token (checked before hashing, to reject junk early). */
  public static boolean isWellFormed(String token) {
    return token != null && SHAPE.matcher(token).matches();
  }

  /** The SHA-256 hash stored for a token. */
  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
