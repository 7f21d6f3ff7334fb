package dev.taskcert.server.enrollment;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.server.authz.CallerFacts;
import dev.taskcert.server.authz.CallerFactsRow;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.authz.TryGate;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The certificate-holding half of the CA, on the mutual-TLS port: a live try renews its own
 * certificate. The caller's facts are read afresh, with what is left of its try, and the try's
 * rule applied to them before anything is signed; the statement that records the certificate then
 * applies it again under the try's row lock, revocation included, so a renewal racing the end or
 * revocation of its try cannot leave a valid certificate behind. Two round trips to the database.
 */
public final class RenewalService extends RenewalGrpc.RenewalImplBase {
  private final Transactions transactions;
  private final CertificateIssuance issuance;
  private final CallerFacts callerFacts;
  private final TryGate gate;
  private final CurrentCall call;
  private final Clock clock;
  private final long maxTryMillis;

  @Inject
  RenewalService(Transactions transactions, CertificateIssuance issuance, CallerFacts callerFacts, TryGate gate,
      CurrentCall call, Clock clock, ServerConfig config) {
    this.transactions = transactions;
    this.issuance = issuance;
    this.callerFacts = callerFacts;
    this.gate = gate;
    this.call = call;
    this.clock = clock;
    this.maxTryMillis = config.liveness().maxTryDuration().toMillis();
  }

  @Override
  public void renew(RenewRequest request, StreamObserver<EnrollResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      PublicKey key = issuance.publicKeyOf(request.getCsrDer().toByteArray());
      TaskIdentity caller = call.task();
      String serial = call.principal().serialHex();
      CallerFactsRow facts = callerFacts.read(caller, serial);
      TaskInstanceRow row = gate.applied(facts);
      Instant now = clock.instant();
      CertificateIssuance.Signed signed = issuance.sign(key, row.currentTry(), now, facts.tryDeadline(),
          facts.databaseNow(), "renewed from " + serial);
      IssuedCertificate certificate = signed.certificate();
      List<String> states = call.rule().tryStates().stream().map(Enum::name).toList();
      int recorded = transactions.oneStatement(IssuedCertificateMapper.class, mapper -> mapper.renew(caller.dagId(),
          caller.runId(), caller.taskId(), caller.mapIndex(), caller.tryNumber(), states, maxTryMillis,
          signed.validUntil(), certificate.serialHex(), certificate.spiffeId(), certificate.notBefore(),
          certificate.notAfter(), serial, signed.event()));
      if (recorded == 0) {
        // The certificate just signed is discarded: it was neither recorded nor sent.
        throw whyNotRecorded(caller, serial, signed);
      }
      return issuance.issued(signed, now);
    });
  }

  /** Why the statement recording a renewed certificate changed nothing, read afresh. */
  private Refusal whyNotRecorded(TaskIdentity caller, String serial, CertificateIssuance.Signed signed) {
    CallerFactsRow now = callerFacts.read(caller, serial);
    gate.applied(now);
    if (CertificateIssuance.outlives(signed, now.tryDeadline())) {
      return CertificateIssuance.maxDurationReached();
    }
    return Refusal.precondition("the try changed while its certificate was renewed; renew again");
  }
}
