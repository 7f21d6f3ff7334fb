package dev.taskcert.server.enrollment;

import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.GetTrustBundleRequest;
import dev.taskcert.proto.ca.v1.GetTrustBundleResponse;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.PeerAddresses;
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
 *
 * <p>Enroll is the one costly call anyone may make, so it spends as little as it can on a caller
 * that has proved nothing: the caller's address must be within its rate, the call is served by
 * the bounded {@link EnrollmentWorkers}, and the token is looked up before the CSR is even decoded,
 * so a refused token costs one indexed read.
 */
public final class EnrollmentService extends EnrollmentGrpc.EnrollmentImplBase {
  private static final String TOKEN_REFUSED = "enrollment token is invalid, already used, or expired";

  private final Transactions transactions;
  private final CertificateIssuance issuance;
  private final ServerConfig config;
  private final Clock clock;
  private final EnrollmentRateLimit rateLimit;
  private final EnrollmentWorkers workers;

  @Inject
  EnrollmentService(Transactions transactions, CertificateIssuance issuance, ServerConfig config, Clock clock,
      EnrollmentRateLimit rateLimit, EnrollmentWorkers workers) {
    this.transactions = transactions;
    this.issuance = issuance;
    this.config = config;
    this.clock = clock;
    this.rateLimit = rateLimit;
    this.workers = workers;
  }

  @Override
  public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> observer) {
    rateLimit.admit(PeerAddresses.current());
    workers.respond(observer, () -> enroll(request));
  }

  private EnrollResponse enroll(EnrollRequest request) {
    String token = request.getEnrollmentToken();
    if (!EnrollmentTokens.isWellFormed(token)) {
      throw refusedToken("malformed token");
    }
    byte[] hash = EnrollmentTokens.hash(token);
    // The token first: a CSR, however costly to check, is looked at only for a live token.
    boolean redeemable = transactions.withMapper(EnrollmentTokenMapper.class, tokens -> tokens.isRedeemable(hash));
    if (!redeemable) {
      throw refusedToken("token unknown, used, voided or expired");
    }
    // Checked before the token is consumed, so a bad CSR leaves the token usable.
    PublicKey key = issuance.publicKeyOf(request.getCsrDer().toByteArray());
    Instant now = clock.instant();
    IssuedCertificate issued = transactions.inTransaction(session -> {
      EnrollmentTokenMapper.RedeemedToken redeemed = session.getMapper(EnrollmentTokenMapper.class).consume(hash);
      if (redeemed == null) {
        throw refusedToken("token used, voided or expired while the CSR was checked");
      }
      TaskInstanceRow row = session.getMapper(TaskInstanceMapper.class).lockById(redeemed.taskInstanceId());
      if (row.tryNumber() != redeemed.tryNumber()) {
        throw Refusal.precondition(
            "the token's try " + redeemed.tryNumber() + " is superseded by try " + row.tryNumber());
      }
      if (row.executionGeneration() != redeemed.executionGeneration()) {
        throw Refusal.precondition("the token's execution " + redeemed.executionGeneration()
            + " of the try is superseded by execution " + row.executionGeneration());
      }
      if (row.taskState() != TaskState.QUEUED) {
        throw Refusal.precondition("task instance is " + row.state() + "; enrollment needs QUEUED");
      }
      return issuance.issue(session, key, row, now, null);
    });
    return issuance.issued(issued, now, "enrolled");
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
