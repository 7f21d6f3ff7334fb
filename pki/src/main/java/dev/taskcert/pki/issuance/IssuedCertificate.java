package dev.taskcert.pki.issuance;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate the CA just signed, with the facts recorded about it.
 *
 * @param chain the leaf followed by the intermediate(s) up to, not including, the root
 * @param serialHex the leaf's serial number in lower-case hex
 * @param spiffeId the SPIFFE ID in the leaf's URI SAN, or {@code null} for a server certificate
 */
public record IssuedCertificate(
    List<X509Certificate> chain, String serialHex, Instant notBefore, Instant notAfter, String spiffeId) {

  public IssuedCertificate {
    chain = List.copyOf(chain);
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }
}
