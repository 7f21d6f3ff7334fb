package dev.taskcert.pki.ca;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The SHA-256 fingerprint of a certificate's DER encoding, the name operators use for a root.
 *
 * @param hex 64 lower-case hex digits, no separators
 */
public record CertificateFingerprint(String hex) {
  private static final Pattern CANONICAL = Pattern.compile("[0-9a-f]{64}");

  public CertificateFingerprint {
    if (hex == null || !CANONICAL.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "a SHA-256 fingerprint is 64 hex digits, got: " + hex);
    }
  }

  /** The fingerprint of {@code certificate}. */
  public static CertificateFingerprint of(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return new CertificateFingerprint(HexFormat.of().formatHex(digest));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot fingerprint a certificate", e);
    }
  }

  /**
   * Parses a fingerprint as operators copy it: hex digits in either case, optionally separated by
   * colons as {@code openssl x509 -fingerprint -sha256} prints them.
   *
   * @throws IllegalArgumentException if the text is not 32 bytes of hex
   */
  public static CertificateFingerprint parse(String text) {
    String compact = text.strip().replace(":", "").toLowerCase(Locale.ROOT);
    return new CertificateFingerprint(compact);
  }

  @Override
  public String toString() {
    return hex;
  }
}
