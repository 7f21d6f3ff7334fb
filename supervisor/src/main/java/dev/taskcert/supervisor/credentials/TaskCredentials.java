package dev.taskcert.supervisor.credentials;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a task try authenticates with: its in-memory private key, its certificate chain (leaf
 * first) and the roots it trusts for the server. Never serialized, never written to disk;
 * {@link #toString()} shows no key material.
 */
public record TaskCredentials(
    PrivateKey privateKey,
    List<X509Certificate> chain,
    List<X509Certificate> trustRoots,
    String spiffeId,
    String serialHex,
    Instant notBefore,
    Instant notAfter,
    Instant issuedAt) {

  /**
   * @param issuedAt the server's clock when it issued the certificate, or null when unknown; the
   *     supervisor times renewals from it so that its own clock's offset does not matter
   */
  public TaskCredentials {
    chain = List.copyOf(chain);
    trustRoots = List.copyOf(trustRoots);
  }

  /** Credentials whose issue time by the server's clock is unknown. */
  public TaskCredentials(PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trustRoots,
      String spiffeId, String serialHex, Instant notBefore, Instant notAfter) {
    this(privateKey, chain, trustRoots, spiffeId, serialHex, notBefore, notAfter, null);
  }

  /** Credentials whose validity starts now (for certificates made outside the CA service). */
  public TaskCredentials(PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trustRoots,
      String spiffeId, String serialHex, Instant notAfter) {
    this(privateKey, chain, trustRoots, spiffeId, serialHex, chain.get(0).getNotBefore().toInstant(), notAfter);
  }

  /** The certificate's whole validity window. */
  public Duration lifetime() {
    return Duration.between(notBefore, notAfter);
  }

  @Override
  public String toString() {
    return "TaskCredentials[spiffeId=" + spiffeId + ", serial=" + serialHex + ", notAfter=" + notAfter + "]";
  }
}
