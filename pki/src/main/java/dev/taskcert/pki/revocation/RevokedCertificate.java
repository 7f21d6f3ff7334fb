package dev.taskcert.pki.revocation;

import java.math.BigInteger;
import java.time.Instant;

/**
 * One entry of a CRL: the serial of a revoked certificate, when it was revoked, and why.
 *
 * @param serial the certificate's serial number, positive
 */
public record RevokedCertificate(BigInteger serial, Instant revokedAt, RevocationReason reason) {
  public RevokedCertificate {
    if (serial == null || serial.signum() <= 0) {
      throw new IllegalArgumentException("a serial number must be positive, got " + serial);
    }
    if (revokedAt == null || reason == null) {
      throw new IllegalArgumentException("revocation time and reason are required");
    }
  }

  /**
   * An entry for the serial as {@code IssuedCertificate.serialHex()} records it.
   *
   * @throws IllegalArgumentException if {@code serialHex} is not hex
   */
  public static RevokedCertificate of(String serialHex, Instant revokedAt, RevocationReason reason) {
    try {
      return new RevokedCertificate(new BigInteger(serialHex, 16), revokedAt, reason);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a hex serial number: " + serialHex);
    }
  }
}
