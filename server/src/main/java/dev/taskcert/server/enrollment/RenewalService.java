package dev.taskcert.server.enrollment;

import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.authz.TryGate;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;

/**
 * The certificate-holding half of the CA, on the mutual-TLS port: a live try renews its own
 * certificate. The try's rule is applied again under the row lock, revocation included, so a
 * renewal racing the end or revocation of its try cannot leave a valid certificate behind.
 */
public final class RenewalService extends RenewalGrpc.RenewalImplBase {
  private final Transactions transactions;
  private final CertificateIssuance issuance;
  private final TryGate gate;
  private final CurrentCall call;
  private final Clock clock;

  @Inject
  RenewalService(Transactions transactions, CertificateIssuance issuance, TryGate gate, CurrentCall call, Clock clock) {
    this.transactions = transactions;
    this.issuance = issuance;
    this.gate = gate;
    this.call = call;
    this.clock = clock;
  }

  @Override
  public void renew(RenewRequest request, StreamObserver<EnrollResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      PublicKey key = issuance.publicKeyOf(request.getCsrDer().toByteArray());
      Instant now = clock.instant();
      IssuedCertificate issued = transactions.inTransaction(session -> {
        TaskInstanceRow row = gate.lock(session).row();
        return issuance.issue(session, key, row, now, call.principal().serialHex());
      });
      return issuance.issued(issued, now, "renewed from " + call.principal().serialHex());
    });
  }
}
