package dev.taskcert.supervisor;

import dev.taskcert.pki.crypto.SignatureProvider;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Where the server is, how far to trust it, and how calls and renewals behave.
 *
 * @param executionTarget host:port of the mutual-TLS Execution API
 * @param enrollmentTarget host:port of the enrollment (TLS) port
 * @param trustRoots roots the server's certificate must chain to (until enrollment returns the
 *     server's current bundle, which replaces them)
 * @param callTimeout deadline applied to every call
 * @param renewal when and how certificates are renewed
 * @param signatures the provider that generates the task's keys, signs its CSRs and checks the
 *     server's certificate chain (by default the one {@value #CRYPTO_PROVIDER_PROPERTY} names, see
 *     {@link #defaultSignatureProvider})
 */
public record SupervisorConfig(
    String executionTarget,
    String enrollmentTarget,
    List<X509Certificate> trustRoots,
    Duration callTimeout,
    RenewalPolicy renewal,
    SignatureProvider signatures) {

  /**
   * The system property that chooses the signature provider of a supervisor whose configuration
   * does not: {@code native} (the default; pure Java where the native provider cannot load) or
   * {@code jdk}.
   */
  public static final String CRYPTO_PROVIDER_PROPERTY = "taskcert.crypto.provider";

  public SupervisorConfig {
    java.util.Objects.requireNonNull(signatures, "signature provider");
    trustRoots = List.copyOf(trustRoots);
    if (trustRoots.isEmpty()) {
      throw new IllegalArgumentException("at least one trust root is required");
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("call timeout must be positive");
    }
  }

  /** A configuration with the default renewal policy and signature provider. */
  public SupervisorConfig(
      String executionTarget, String enrollmentTarget, List<X509Certificate> trustRoots, Duration callTimeout) {
    this(executionTarget, enrollmentTarget, trustRoots, callTimeout, RenewalPolicy.DEFAULT);
  }

  /** A configuration with the default signature provider ({@link #defaultSignatureProvider}). */
  public SupervisorConfig(
      String executionTarget, String enrollmentTarget, List<X509Certificate> trustRoots, Duration callTimeout,
      RenewalPolicy renewal) {
    this(executionTarget, enrollmentTarget, trustRoots, callTimeout, renewal, defaultSignatureProvider());
  }

  /** This configuration with another signature provider. */
  public SupervisorConfig withSignatures(SignatureProvider other) {
    return new SupervisorConfig(executionTarget, enrollmentTarget, trustRoots, callTimeout, renewal, other);
  }

  /**
   * The provider {@value #CRYPTO_PROVIDER_PROPERTY} chooses: {@code native} when it is not set.
   *
   * @throws IllegalArgumentException naming the property when it holds anything else
   */
  public static SignatureProvider defaultSignatureProvider() {
    String word = System.getProperty(CRYPTO_PROVIDER_PROPERTY, SignatureProvider.Choice.NATIVE.word());
    try {
      return SignatureProvider.select(SignatureProvider.Choice.parse(word));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(CRYPTO_PROVIDER_PROPERTY + " " + e.getMessage(), e);
    }
  }

  /**
   * When certificates are renewed: at {@code fraction} of their lifetime, give or take
   * {@code jitter} of the lifetime, retrying failures with exponential backoff from
   * {@code initialBackoff} to {@code maxBackoff} (never past expiry).
   */
  public record RenewalPolicy(double fraction, double jitter, Duration initialBackoff, Duration maxBackoff) {
    /** Renew at two thirds of the lifetime, ±5 %, retrying from 200 ms up to 30 s. */
    public static final RenewalPolicy DEFAULT =
        new RenewalPolicy(2.0 / 3.0, 0.05, Duration.ofMillis(200), Duration.ofSeconds(30));

    public RenewalPolicy {
      // Written so that NaN fails every comparison and is rejected.
      if (!(fraction > 0 && fraction < 1 && jitter >= 0 && jitter < Math.min(fraction, 1 - fraction))) {
        throw new IllegalArgumentException("renewal fraction must be in (0, 1) with a smaller jitter");
      }
      if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("backoff must be positive and max >= initial");
      }
    }
  }
}
