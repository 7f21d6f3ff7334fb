package dev.taskcert.pki.ca;

import java.security.cert.X509Certificate;
import java.util.List;

/** The outcome of checking a certificate against a trust bundle: valid, or why not. */
public sealed interface ChainCheck permits ChainCheck.Valid, ChainCheck.Invalid {

  boolean ok();

  /**
   * The certificate chains to a root of the bundle.
   *
   * @param path the certificate followed by the intermediates used, root excluded (empty when the
   *     certificate is itself a root of the bundle)
   * @param root the root of the bundle the path ends at
   */
  record Valid(List<X509Certificate> path, X509Certificate root) implements ChainCheck {
    public Valid {
      path = List.copyOf(path);
    }

    @Override
    public boolean ok() {
      return true;
    }
  }

  /** The certificate does not chain to the bundle; {@code reason} says why. */
  record Invalid(String reason) implements ChainCheck {
    @Override
    public boolean ok() {
      return false;
    }
  }
}
