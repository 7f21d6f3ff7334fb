package dev.taskcert.pki.ca;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The root certificates relying parties trust. Holding several roots at once is what makes a root
 * rollover possible without failed calls.
 */
public record TrustBundle(List<X509Certificate> roots) {
  public TrustBundle {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("a trust bundle needs at least one root");
    }
    roots = List.copyOf(roots);
  }

  public X509Certificate[] asArray() {
    return roots.toArray(new X509Certificate[0]);
  }

  /** Whether {@code certificate} is one of the roots. */
  public boolean contains(X509Certificate certificate) {
    return roots.contains(certificate);
  }

  /** The root with this fingerprint, if it is in the bundle. */
  public Optional<X509Certificate> find(CertificateFingerprint fingerprint) {
    return roots.stream().filter(root -> CertificateFingerprint.of(root).equals(fingerprint)).findFirst();
  }

  /** The root whose name and key signed {@code certificate}, if it is in the bundle. */
  public Optional<X509Certificate> issuerOf(X509Certificate certificate) {
    return roots.stream().filter(root -> isSignedBy(certificate, root)).findFirst();
  }

  /**
   * This bundle with {@code root} added at the end; the same bundle if it is already there.
   *
   * @throws IllegalArgumentException if {@code root} is not a self-signed CA certificate
   */
  public TrustBundle with(X509Certificate root) {
    requireRoot(root);
    if (contains(root)) {
      return this;
    }
    List<X509Certificate> more = new ArrayList<>(roots);
    more.add(root);
    return new TrustBundle(more);
  }

  /**
   * This bundle without the root of that fingerprint.
   *
   * @throws IllegalArgumentException if no root has that fingerprint, or it is the last one
   */
  public TrustBundle without(CertificateFingerprint fingerprint) {
    X509Certificate root =
        find(fingerprint).orElseThrow(
            () -> new IllegalArgumentException("no root with fingerprint " + fingerprint + " in the bundle"));
    if (roots.size() == 1) {
      throw new IllegalArgumentException("refusing to remove the only root of the bundle");
    }
    List<X509Certificate> fewer = new ArrayList<>(roots);
    fewer.remove(root);
    return new TrustBundle(fewer);
  }

  /**
   * Checks that {@code certificate} can serve as a trust anchor: a CA certificate, self-issued,
   * whose signature verifies with its own key.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static void requireRoot(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(subject + " is not a CA certificate");
    }
    boolean[] keyUsage = certificate.getKeyUsage();
    if (keyUsage != null && !keyUsage[5]) {
      throw new IllegalArgumentException(subject + " may not sign certificates (no keyCertSign)");
    }
    if (!isSignedBy(certificate, certificate)) {
      throw new IllegalArgumentException(subject + " is not a self-signed root certificate");
    }
  }

  private static boolean isSignedBy(X509Certificate certificate, X509Certificate issuer) {
    if (!issuer.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
      return false;
    }
    try {
      certificate.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      // Same name but another key (an earlier root generation).
      return false;
    }
  }
}
