package dev.taskcert.server.enrollment;

import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.GetTrustBundleRequest;
import dev.taskcert.proto.ca.v1.GetTrustBundleResponse;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.taskinstance.TaskInstanceMapper;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import dev.taskcert.server.taskinstance.TaskState;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;

/**
 * The anonymous half of the CA, on the enrollment port: Enroll redeems a single-use token for the
 * first certificate of the try it was minted for, whose identity is built from the task row; and
 * the trust bundle is public.
 */
public final class EnrollmentService extends EnrollmentGrpc.EnrollmentImplBase {
  private static final String TOKEN_REFUSED = "enrollment token is invalid, already used, or expired";

  private final Transactions transactions;
  private final CertificateIssuance issuance;
  private final ServerConfig config;
  private final Clock clock;

  @Inject
  EnrollmentService(Transactions transactions, CertificateIssuance issuance, ServerConfig config, Clock clock) {
    this.transactions = transactions;
    this.issuance = issuance;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String token = request.getEnrollmentToken();
      if (!EnrollmentTokens.isWellFormed(token)) {
        throw refusedToken("malformed token");
      }
      PublicKey key = issuance.publicKeyOf(request.getCsrDer().toByteArray());
      Instant now = clock.instant();
      IssuedCertificate issued = transactions.inTransaction(session -> {
        EnrollmentTokenMapper.RedeemedToken redeemed =
            session.getMapper(EnrollmentTokenMapper.class).consume(EnrollmentTokens.hash(token), now);
        if (redeemed == null) {
          throw refusedToken("token unknown, used or expired");
        }
        TaskInstanceRow row = session.getMapper(TaskInstanceMapper.class).lockById(redeemed.taskInstanceId());
        if (row.tryNumber() != redeemed.tryNumber()) {
          throw Refusal.precondition(
              "the token's try " + redeemed.tryNumber() + " is superseded by try " + row.tryNumber());
        }
        if (row.taskState() != TaskState.QUEUED) {
          throw Refusal.precondition("task instance is " + row.state() + "; enrollment needs QUEUED");
        }
        return issuance.issue(session, key, row, now, null);
      });
      return issuance.issued(issued, now, "enrolled");
    });
  }

  @Override
  public void getTrustBundle(GetTrustBundleRequest request, StreamObserver<GetTrustBundleResponse> observer) {
    UnaryCalls.respond(observer, () -> GetTrustBundleResponse.newBuilder()
        .addAllRootCertificatesDer(issuance.trustBundle())
        .setTrustDomain(config.trustDomain().name())
        .build());
  }

  /** A refused token: one answer for every reason, the reason itself only in the audit record. */
  private static Refusal refusedToken(String why) {
    return Refusal.enrollment(Refusal.Kind.NOT_AUTHENTICATED, "enrollment_token", TOKEN_REFUSED, why);
  }
}
