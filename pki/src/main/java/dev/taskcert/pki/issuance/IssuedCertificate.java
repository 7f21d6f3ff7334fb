package dev.taskcert.pki.issuance;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate the CA just signed, with the facts recorded about it. The chain is kept as DER,
 * which is what a response carries; the JDK certificate objects are made on first request only.
 */
public final class IssuedCertificate {
  private final byte[] leafDer;
  private final List<X509Certificate> issuers;
  private final String serialHex;
  private final Instant notBefore;
  private final Instant notAfter;
  private final String spiffeId;
  private volatile List<X509Certificate> chain;

  /**
   * @param leafDer the leaf's DER
   * @param issuers the intermediate(s) above the leaf, up to, not including, the root
   * @param serialHex the leaf's serial number in lower-case hex
   * @param spiffeId the SPIFFE ID in the leaf's URI SAN, or {@code null} for a server certificate
   */
  IssuedCertificate(byte[] leafDer, List<X509Certificate> issuers, String serialHex, Instant notBefore,
      Instant notAfter, String spiffeId) {
    this.leafDer = leafDer.clone();
    this.issuers = List.copyOf(issuers);
    this.serialHex = serialHex;
    this.notBefore = notBefore;
    this.notAfter = notAfter;
    this.spiffeId = spiffeId;
  }

  /** The leaf followed by the intermediate(s) up to, not including, the root. */
  public List<X509Certificate> chain() {
    List<X509Certificate> parsed = chain;
    if (parsed == null) {
      List<X509Certificate> built = new ArrayList<>(issuers.size() + 1);
      built.add(parse(leafDer));
      built.addAll(issuers);
      parsed = List.copyOf(built);
      chain = parsed;
    }
    return parsed;
  }

  /** The chain in DER, leaf first, as {@link #chain()} orders it. */
  public List<byte[]> chainDer() {
    List<byte[]> der = new ArrayList<>(issuers.size() + 1);
    der.add(leafDer.clone());
    for (X509Certificate issuer : issuers) {
      der.add(der(issuer));
    }
    return der;
  }

  public X509Certificate leaf() {
    return chain().get(0);
  }

  public String serialHex() {
    return serialHex;
  }

  public Instant notBefore() {
    return notBefore;
  }

  public Instant notAfter() {
    return notAfter;
  }

  public String spiffeId() {
    return spiffeId;
  }

  /** The DER of a certificate the JDK holds, which it always has. */
  static byte[] der(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode certificate", e);
    }
  }

  private static X509Certificate parse(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new IllegalStateException("cannot read a certificate the CA just signed", e);
    }
  }
}
