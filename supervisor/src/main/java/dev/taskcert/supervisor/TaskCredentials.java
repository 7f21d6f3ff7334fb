package dev.taskcert.supervisor;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What a task try authenticates with: its in-memory private key, its certificate chain (leaf
 * first) and the roots it trusts for the server.
 */
public record TaskCredentials(
    PrivateKey privateKey,
    List<X509Certificate> chain,
    List<X509Certificate> trustRoots,
    String spiffeId,
    String serialHex,
    Instant notAfter) {

  public TaskCredentials {
    chain = List.copyOf(chain);
    trustRoots = List.copyOf(trustRoots);
  }

  @Override
  public String toString() {
    return "TaskCredentials[spiffeId=" + spiffeId + ", serial=" + serialHex + ", notAfter=" + notAfter + "]";
  }
}
