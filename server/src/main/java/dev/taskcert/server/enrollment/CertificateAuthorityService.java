package dev.taskcert.server.enrollment;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.issuance.CsrRejectedException;
import dev.taskcert.pki.issuance.CsrValidator;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.ca.v1.CertificateAuthorityGrpc;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.GetTrustBundleRequest;
import dev.taskcert.proto.ca.v1.GetTrustBundleResponse;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.CallContext;
import dev.taskcert.server.grpc.Principal;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.server.revocation.RevocationMapper;
import dev.taskcert.server.taskinstance.LiveTryGuard;
import dev.taskcert.server.taskinstance.TaskInstanceMapper;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import dev.taskcert.server.taskinstance.TaskState;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

/**
 * The CA's RPCs. Enroll redeems a single-use token for a first certificate; Renew issues a fresh
 * one to a live try over mutual TLS. Either way the certificate's identity is built from the task
 * row, and the CSR only proves possession of the key. Issuance is recorded and audited.
 */
public final class CertificateAuthorityService extends CertificateAuthorityGrpc.CertificateAuthorityImplBase {
  private static final String TOKEN_REFUSED = "enrollment token is invalid, already used, or expired";

  private final Transactions transactions;
  private final CsrValidator csrValidator;
  private final CaState ca;
  private final LiveTryGuard guard;
  private final AuditLog audit;
  private final ServerConfig config;
  private final Clock clock;

  @Inject
  CertificateAuthorityService(
      Transactions transactions,
      CsrValidator csrValidator,
      CaState ca,
      LiveTryGuard guard,
      AuditLog audit,
      ServerConfig config,
      Clock clock) {
    this.transactions = transactions;
    this.csrValidator = csrValidator;
    this.ca = ca;
    this.guard = guard;
    this.audit = audit;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String token = request.getEnrollmentToken();
      if (!EnrollmentTokens.isWellFormed(token)) {
        throw refuseEnrollment("malformed token");
      }
      PublicKey key = validateCsr(request.getCsrDer().toByteArray());
      Instant now = clock.instant();
      IssuedCertificate issued = transactions.inTransaction(session -> {
        EnrollmentTokenMapper.RedeemedToken redeemed =
            session.getMapper(EnrollmentTokenMapper.class).consume(EnrollmentTokens.hash(token), now);
        if (redeemed == null) {
          throw refuseEnrollment("token unknown, used or expired");
        }
        TaskInstanceRow row = session.getMapper(TaskInstanceMapper.class).lockById(redeemed.taskInstanceId());
        if (row.tryNumber() != redeemed.tryNumber()) {
          throw Status.FAILED_PRECONDITION
              .withDescription("the token's try " + redeemed.tryNumber() + " is superseded by try " + row.tryNumber())
              .asRuntimeException();
        }
        if (row.taskState() != TaskState.QUEUED) {
          throw Status.FAILED_PRECONDITION
              .withDescription("task instance is " + row.state() + "; enrollment needs QUEUED")
              .asRuntimeException();
        }
        return issueAndRecord(session, key, row, now);
      });
      audit.record(AuditLog.Kind.ISSUE, issued.spiffeId(), CallContext.method(), "certificate:" + issued.serialHex(),
          "enrolled; not after " + issued.notAfter());
      return response(issued, now);
    });
  }

  @Override
  public void renew(RenewRequest request, StreamObserver<EnrollResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Principal principal = CallContext.principal();
      TaskIdentity caller = principal.requireTask();
      PublicKey key = validateCsr(request.getCsrDer().toByteArray());
      Instant now = clock.instant();
      IssuedCertificate issued = transactions.inTransaction(session -> {
        TaskInstanceRow row = session.getMapper(TaskInstanceMapper.class)
            .lock(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex());
        // The interceptor checked revocation before this row lock; a revocation of the try that
        // committed since then must still stop the renewal (revocation takes the same lock).
        if (session.getMapper(RevocationMapper.class).isRevoked(principal.serialHex())) {
          String reason = "client certificate " + principal.serialHex() + " is revoked";
          audit.record(AuditLog.Kind.UNAUTHENTICATED, principal.spiffeId(), CallContext.method(), null, reason);
          throw Status.UNAUTHENTICATED.withDescription(reason).asRuntimeException();
        }
        guard.check(caller, row, EnumSet.of(TaskState.QUEUED, TaskState.RUNNING));
        return issueAndRecord(session, key, row, now);
      });
      audit.record(AuditLog.Kind.ISSUE, issued.spiffeId(), CallContext.method(), "certificate:" + issued.serialHex(),
          "renewed from " + principal.serialHex() + "; not after " + issued.notAfter());
      return response(issued, now);
    });
  }

  @Override
  public void getTrustBundle(GetTrustBundleRequest request, StreamObserver<GetTrustBundleResponse> observer) {
    UnaryCalls.respond(observer, () -> GetTrustBundleResponse.newBuilder()
        .addAllRootCertificatesDer(der(ca.current().bundle().roots()))
        .setTrustDomain(config.trustDomain().name())
        .build());
  }

  private IssuedCertificate issueAndRecord(
      org.apache.ibatis.session.SqlSession session, PublicKey key, TaskInstanceRow row, Instant now) {
    IssuedCertificate issued = ca.current().issuer().issueClient(key, row.currentTry(), now);
    session.getMapper(IssuedCertificateMapper.class).insert(
        issued.serialHex(), row.id(), row.tryNumber(), issued.spiffeId(), issued.notBefore(), issued.notAfter());
    return issued;
  }

  private PublicKey validateCsr(byte[] der) {
    try {
      return csrValidator.validate(der);
    } catch (CsrRejectedException e) {
      audit.record(AuditLog.Kind.ENROLL_REFUSED, null, CallContext.method(), "csr", e.getMessage());
      throw RequestLimits.invalid(e.getMessage());
    }
  }

  private RuntimeException refuseEnrollment(String why) {
    audit.record(AuditLog.Kind.ENROLL_REFUSED, null, CallContext.method(), "enrollment_token", why);
    return Status.UNAUTHENTICATED.withDescription(TOKEN_REFUSED).asRuntimeException();
  }

  private EnrollResponse response(IssuedCertificate issued, Instant issuedAt) {
    return EnrollResponse.newBuilder()
        .addAllCertificateChainDer(der(issued.chain()))
        .addAllTrustBundleDer(der(ca.current().bundle().roots()))
        .setNotAfter(Timestamp.newBuilder().setSeconds(issued.notAfter().getEpochSecond()))
        .setSpiffeId(issued.spiffeId())
        .setSerialHex(issued.serialHex())
        .setIssuedAt(Timestamp.newBuilder().setSeconds(issuedAt.getEpochSecond()).setNanos(issuedAt.getNano()))
        .build();
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
