package dev.taskcert.server.enrollment;

import dev.taskcert.audit.AuditKind;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.issuance.CsrRejectedException;
import dev.taskcert.pki.issuance.CsrValidator;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.server.audit.AuditEvent;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.server.refusal.Refusal;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What enrollment and renewal share: checking the CSR (proof of possession only), signing the
 * certificate for the try's identity within its maximum duration, announcing it once its one
 * statement recorded it with its audit event, and the response.
 */
public final class CertificateIssuance {
  private final CsrValidator csrValidator;
  private final CaState ca;
  private final AuditLog audit;
  private final CurrentCall call;

  private final IssuancePolicy policy;

  @Inject
  CertificateIssuance(CsrValidator csrValidator, CaState ca, AuditLog audit, CurrentCall call, ServerConfig config) {
    this.csrValidator = csrValidator;
    this.ca = ca;
    this.audit = audit;
    this.call = call;
    this.policy = config.issuance();
  }

  /**
   * The CSR's public key, once its signature verifies and its key is allowed.
   *
   * @throws Refusal an invalid request (audited as a refused enrollment) otherwise
   */
  public PublicKey publicKeyOf(byte[] csrDer) {
    try {
      return csrValidator.validate(csrDer);
    } catch (CsrRejectedException e) {
      throw Refusal.enrollment(Refusal.Kind.INVALID_REQUEST, "csr", e.getMessage(), e.getMessage());
    }
  }

  /**
   * A certificate signed for a try but not yet recorded: what the one statement that records it
   * needs, then the response.
   *
   * @param validUntil the certificate's end by the database's clock, which the try's maximum
   *     duration must still reach when it is recorded
   * @param event its audit event, stored by the same statement
   */
  public record Signed(IssuedCertificate certificate, Instant validUntil, AuditEvent event) {}

  /**
   * Signs a certificate for try {@code identity}, valid from {@code now} for the policy's lifetime
   * cut to what is left of the try's maximum duration ({@code tryDeadline} less {@code
   * databaseNow}, both by the database's clock); none is signed once that is spent. Nothing is
   * recorded: the caller's statement records the certificate and its audit event (saying {@code
   * how}) only if the try still allows it. A certificate it refuses is discarded, never recorded
   * nor sent.
   */
  public Signed sign(PublicKey key, TaskIdentity identity, Instant now, Instant tryDeadline, Instant databaseNow,
      String how) {
    Duration left = Duration.between(databaseNow, tryDeadline);
    if (left.compareTo(Duration.ofSeconds(1)) < 0) {
      throw maxDurationReached();
    }
    Duration lifetime = left.compareTo(policy.lifetime()) < 0 ? left : policy.lifetime();
    IssuedCertificate issued = ca.current().issuer().issueClient(key, identity, now, lifetime);
    AuditEvent event = audit.event(AuditKind.ISSUE, issued.spiffeId(), call.method(),
        "certificate:" + issued.serialHex(), how + "; not after " + issued.notAfter());
    return new Signed(issued, databaseNow.plus(lifetime), event);
  }

  /** Whether a signed certificate would outlive its try's maximum duration, ending at {@code tryDeadline}. */
  public static boolean outlives(Signed signed, Instant tryDeadline) {
    return tryDeadline.isBefore(signed.validUntil());
  }

  /** The refusal of a certificate past the try's maximum duration. */
  public static Refusal maxDurationReached() {
    return Refusal.precondition("the try has reached its maximum duration; no certificate is issued past it");
  }

  /** Announces a certificate its statement recorded, and returns the response that carries it. */
  public EnrollResponse issued(Signed signed, Instant issuedAt) {
    audit.stored(signed.event());
    IssuedCertificate issued = signed.certificate();
    return EnrollResponse.newBuilder()
        .addAllCertificateChainDer(issued.chainDer().stream().map(ByteString::copyFrom).toList())
        .addAllTrustBundleDer(trustBundle())
        .setNotAfter(Timestamp.newBuilder().setSeconds(issued.notAfter().getEpochSecond()))
        .setSpiffeId(issued.spiffeId())
        .setSerialHex(issued.serialHex())
        .setIssuedAt(Timestamp.newBuilder().setSeconds(issuedAt.getEpochSecond()).setNanos(issuedAt.getNano()))
        .build();
  }

  /** The current trust bundle's roots, each in DER. */
  public List<ByteString> trustBundle() {
    return der(ca.current().bundle().roots());
  }

  private static List<ByteString> der(List<X509Certificate> certificates) {
    return certificates.stream().map(certificate -> {
      try {
        return ByteString.copyFrom(certificate.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("cannot encode certificate", e);
      }
    }).toList();
  }
}
