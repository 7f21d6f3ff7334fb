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
 * so a refused token costs one indexed read. That read also brings all the certificate needs, and
 * one statement then redeems the token and records the certificate: an enrollment costs two round
 * trips to the database.
 */
public final class EnrollmentService extends EnrollmentGrpc.EnrollmentImplBase {
  private static final String TOKEN_REFUSED = "enrollment token is invalid, already used, or expired";

  private final Transactions transactions;
  private final CertificateIssuance issuance;
  private final ServerConfig config;
  private final Clock clock;
  private final EnrollmentRateLimit rateLimit;
  private final EnrollmentWorkers workers;
  private final long maxTryMillis;

  @Inject
  EnrollmentService(Transactions transactions, CertificateIssuance issuance, ServerConfig config, Clock clock,
      EnrollmentRateLimit rateLimit, EnrollmentWorkers workers) {
    this.maxTryMillis = config.liveness().maxTryDuration().toMillis();
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
    // The token first, read with everything the certificate needs of its try: a CSR, however
    // costly to check, is looked at only for a live token.
    TokenTry found = lookup(hash);
    if (found == null || !found.redeemable()) {
      throw refusedToken("token unknown, used, voided or expired");
    }
    // Checked before the token is consumed, so a bad CSR leaves the token usable.
    PublicKey key = issuance.publicKeyOf(request.getCsrDer().toByteArray());
    found.requireEnrollable();
    Instant now = clock.instant();
    CertificateIssuance.Signed signed =
        issuance.sign(key, found.currentTry(), now, found.tryDeadline(), found.databaseNow(), "enrolled");
    IssuedCertificate certificate = signed.certificate();
    // One statement, all or nothing: consumes the token, locks and checks the try again, starts
    // its clock, records the certificate and its audit event.
    int recorded = transactions.oneStatement(IssuedCertificateMapper.class, mapper -> mapper.enroll(hash,
        found.tryNumber(), maxTryMillis, signed.validUntil(), certificate.serialHex(), certificate.spiffeId(),
        certificate.notBefore(), certificate.notAfter(), null, signed.event()));
    if (recorded == 0) {
      // The certificate just signed is discarded: it was neither recorded nor sent.
      throw whyNotRecorded(hash, signed);
    }
    return issuance.issued(signed, now);
  }

  /** The token and its try as the database has them now. */
  private TokenTry lookup(byte[] hash) {
    return transactions.oneStatement(EnrollmentTokenMapper.class, tokens -> tokens.lookup(hash, maxTryMillis));
  }

  /**
   * Why the statement recording a certificate changed nothing, read afresh: the token or its try
   * changed since it was looked up.
   */
  private Refusal whyNotRecorded(byte[] hash, CertificateIssuance.Signed signed) {
    TokenTry now = lookup(hash);
    if (now == null || !now.redeemable()) {
      return refusedToken("token used, voided or expired while the CSR was checked");
    }
    now.requireEnrollable();
    if (CertificateIssuance.outlives(signed, now.tryDeadline())) {
      return CertificateIssuance.maxDurationReached();
    }
    return Refusal.precondition("the token's try changed while its certificate was issued; enroll again");
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
