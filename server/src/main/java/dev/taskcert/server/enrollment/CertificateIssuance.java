package dev.taskcert.server.enrollment;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.taskcert.pki.issuance.CsrRejectedException;
import dev.taskcert.pki.issuance.CsrValidator;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.TryLiveness;
import dev.taskcert.server.liveness.TryEndingMapper;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.ibatis.session.SqlSession;

/**
 * What enrollment and renewal share: checking the CSR (proof of possession only), issuing the
 * certificate for the task row's current try, recording and auditing it, and the response.
 */
public final class CertificateIssuance {
  private final CsrValidator csrValidator;
  private final CaState ca;
  private final AuditLog audit;
  private final CurrentCall call;

  private final IssuancePolicy policy;
  private final TryLiveness liveness;

  @Inject
  CertificateIssuance(CsrValidator csrValidator, CaState ca, AuditLog audit, CurrentCall call, ServerConfig config) {
    this.csrValidator = csrValidator;
    this.ca = ca;
    this.audit = audit;
    this.call = call;
    this.policy = config.issuance();
    this.liveness = config.liveness();
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
   * Issues a certificate for {@code row}'s current try and records it in {@code session}, with the
   * task instance row locked. The try's clock starts at its first certificate; no certificate is
   * valid past the try's maximum duration, and none is issued once it is spent. The certificate is
   * bound to the try's current execution generation: a resume makes it, and its renewals, useless.
   *
   * @param renewedFrom serial of the certificate this one renews, or {@code null} at enrollment:
   *     revoking a serial also revokes everything renewed from it
   */
  public IssuedCertificate issue(SqlSession session, PublicKey key, TaskInstanceRow row, Instant now, String renewedFrom) {
    Duration maxDuration = liveness.maxTryDuration();
    Duration left = Duration.ofMillis(
        session.getMapper(TryEndingMapper.class).remainingTryMillis(row.id(), maxDuration.toMillis()));
    if (left.compareTo(Duration.ofSeconds(1)) < 0) {
      throw Refusal.precondition("the try has reached its maximum duration; no certificate is issued past it");
    }
    Duration lifetime = left.compareTo(policy.lifetime()) < 0 ? left : policy.lifetime();
    IssuedCertificate issued = ca.current().issuer().issueClient(key, row.currentTry(), now, lifetime);
    session.getMapper(IssuedCertificateMapper.class).insert(issued.serialHex(), row.id(), row.tryNumber(),
        row.executionGeneration(), issued.spiffeId(), issued.notBefore(), issued.notAfter(), renewedFrom);
    return issued;
  }

  /** Audits an issuance that committed, and returns the response that carries it. */
  public EnrollResponse issued(IssuedCertificate issued, Instant issuedAt, String how) {
    audit.record(AuditLog.Kind.ISSUE, issued.spiffeId(), call.method(), "certificate:" + issued.serialHex(),
        how + "; not after " + issued.notAfter());
    return EnrollResponse.newBuilder()
        .addAllCertificateChainDer(der(issued.chain()))
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
