package dev.taskcert.pki.ca;

import dev.taskcert.pki.crypto.SignatureProvider;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a certificate against a trust bundle the way a relying party would: it finds the
 * intermediates up to a root of the bundle, then runs PKIX validation (signatures, validity at the
 * given time, CA constraints and path lengths) with that root as the only trust anchor. Revocation
 * is not checked here. Signatures are checked by the {@link SignatureProvider} in force.
 */
public final class ChainVerifier {
  private static final int MAX_PATH_LENGTH = 5;

  private final TrustBundle bundle;
  private final SignatureProvider signatures;

  /** A verifier checking signatures with the preferred provider (see {@link SignatureProvider#preferred}). */
  public ChainVerifier(TrustBundle bundle) {
    this(bundle, SignatureProvider.preferred());
  }

  public ChainVerifier(TrustBundle bundle, SignatureProvider signatures) {
    this.bundle = bundle;
    this.signatures = signatures;
  }

  /**
   * Checks {@code certificate} at time {@code at}, using {@code intermediates} (in any order,
   * extras ignored) to reach the bundle.
   */
  public ChainCheck verify(
      X509Certificate certificate, Collection<X509Certificate> intermediates, Instant at) {
    if (bundle.contains(certificate)) {
      return withinValidity(certificate, at)
          ? new ChainCheck.Valid(List.of(), certificate)
          : new ChainCheck.Invalid("the root itself is not valid at " + at);
    }
    List<X509Certificate> path = new ArrayList<>();
    path.add(certificate);
    X509Certificate current = certificate;
    Optional<X509Certificate> root;
    while ((root = bundle.issuerOf(current)).isEmpty()) {
      if (isSelfSigned(current)) {
        return new ChainCheck.Invalid(
            "chains to root " + name(current) + " (sha256 " + CertificateFingerprint.of(current)
                + "), which is not in the trust bundle");
      }
      Optional<X509Certificate> issuer = findIssuer(current, intermediates);
      if (issuer.isEmpty()) {
        return new ChainCheck.Invalid(
            name(current) + " is issued by " + current.getIssuerX500Principal().getName()
                + ", which is neither a root of the trust bundle nor among the intermediates available");
      }
      if (path.contains(issuer.get()) || path.size() >= MAX_PATH_LENGTH) {
        return new ChainCheck.Invalid("the chain loops or is longer than " + MAX_PATH_LENGTH);
      }
      current = issuer.get();
      if (!isSelfSigned(current)) {
        path.add(current);
      }
    }
    return validate(path, root.get(), at);
  }

  private ChainCheck validate(List<X509Certificate> path, X509Certificate root, Instant at) {
    try {
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
      parameters.setRevocationEnabled(false);
      parameters.setSigProvider(signatures.certPathProvider());
      parameters.setDate(Date.from(at));
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
      return new ChainCheck.Valid(path, root);
    } catch (CertPathValidatorException e) {
      String where = e.getIndex() >= 0 && e.getIndex() < path.size()
          ? name(path.get(e.getIndex())) + ": "
          : "";
      String cause = e.getCause() != null && e.getCause().getMessage() != null
          ? " (" + e.getCause().getMessage() + ")"
          : "";
      return new ChainCheck.Invalid(where + e.getMessage() + cause);
    } catch (GeneralSecurityException e) {
      return new ChainCheck.Invalid("PKIX validation could not run: " + e.getMessage());
    }
  }

  private Optional<X509Certificate> findIssuer(
      X509Certificate certificate, Collection<X509Certificate> candidates) {
    for (X509Certificate candidate : candidates) {
      if (candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())
          && !candidate.equals(certificate)) {
        try {
          verify(certificate, candidate.getPublicKey());
          return Optional.of(candidate);
        } catch (GeneralSecurityException e) {
          // Same name, other key: keep looking.
        }
      }
    }
    return Optional.empty();
  }

  private boolean isSelfSigned(X509Certificate certificate) {
    if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
      return false;
    }
    try {
      verify(certificate, certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Checks {@code certificate}'s signature with {@code key}, through the provider in force. */
  private void verify(X509Certificate certificate, PublicKey key) throws GeneralSecurityException {
    String provider = signatures.certPathProvider();
    if (provider == null) {
      certificate.verify(key);
    } else {
      certificate.verify(key, provider);
    }
  }

  private static boolean withinValidity(X509Certificate certificate, Instant at) {
    return !at.isBefore(certificate.getNotBefore().toInstant())
        && !at.isAfter(certificate.getNotAfter().toInstant());
  }

  private static String name(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}
