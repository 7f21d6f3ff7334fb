package dev.taskcert.pki.ca;

import java.security.cert.X509Certificate;
import java.util.List;

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
}
