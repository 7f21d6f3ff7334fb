package dev.taskcert.pki.testsupport;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** PKIX validation straight from the JDK, as a relying party does it: the bundle's roots are the anchors. */
public final class Pkix {
  private Pkix() {}

  /** Validates {@code chain} (leaf first, root excluded) against {@code roots} at {@code at}. */
  public static void validate(List<X509Certificate> chain, List<X509Certificate> roots, Instant at)
      throws GeneralSecurityException {
    Set<TrustAnchor> anchors = roots.stream().map(root -> new TrustAnchor(root, null)).collect(Collectors.toSet());
    PKIXParameters parameters = new PKIXParameters(anchors);
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(at));
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
  }

  /** Whether {@link #validate} accepts the chain. */
  public static boolean accepts(List<X509Certificate> chain, List<X509Certificate> roots, Instant at) {
    try {
      validate(chain, roots, at);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
