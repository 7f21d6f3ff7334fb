package dev.taskcert.server.revocation;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.db.Transactions;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Revokes certificates by serial, by try, or both, in one transaction, then tells this replica's
 * cache at once (the others hear of it through the database) and audits each serial revoked and
 * the unredeemed enrollment tokens of the try it voided.
 */
public final class CertificateRevocation {
  private final Transactions transactions;
  private final RevocationCache revocations;
  private final AuditLog audit;
  private final Clock clock;

  @Inject
  CertificateRevocation(Transactions transactions, RevocationCache revocations, AuditLog audit, Clock clock) {
    this.transactions = transactions;
    this.revocations = revocations;
    this.audit = audit;
    this.clock = clock;
  }

  /** A try to revoke every certificate of, and to void the unredeemed enrollment tokens of. */
  public record TaskTry(String dagId, String runId, String taskId, int mapIndex, int tryNumber) {
    String resource() {
      return dagId + "/" + runId + "/" + taskId + "/" + mapIndex + "/" + tryNumber;
    }
  }

  /**
   * Revokes {@code serials} (lower-case hex, without leading zeros; a serial this CA never recorded
   * is revoked too) and, when {@code taskTry} is not null, every certificate of that try, with
   * {@code reason} (may be null), audited as done by {@code principal} through {@code rpc}.
   *
   * @return the serials newly revoked
   */
  public List<String> revoke(Collection<String> serials, TaskTry taskTry, String reason, String principal,
      String rpc) {
    Instant now = clock.instant();
    Revoked done = transactions.withMapper(RevocationMapper.class, mapper -> {
      int voidedTokens = 0;
      if (taskTry != null) {
        // Tokens first, then the task instance: the order enrollment takes them in.
        voidedTokens = mapper.voidUnredeemedTokens(taskTry.dagId(), taskTry.runId(), taskTry.taskId(),
            taskTry.mapIndex(), taskTry.tryNumber());
        // Before any certificate: a renewal of this try running now either finishes first
        // (and its certificate is revoked below) or waits and is then refused.
        mapper.lockTaskInstance(taskTry.dagId(), taskTry.runId(), taskTry.taskId(), taskTry.mapIndex());
      }
      List<String> revoked = new ArrayList<>();
      for (String serial : serials) {
        mapper.lockTaskInstanceOfSerial(serial);
        revoked.addAll(mapper.revokeSerial(serial, reason, now));
        revoked.addAll(mapper.revokeUnrecordedSerial(serial, reason, now));
      }
      if (taskTry != null) {
        revoked.addAll(mapper.revokeTry(taskTry.dagId(), taskTry.runId(), taskTry.taskId(), taskTry.mapIndex(),
            taskTry.tryNumber(), reason, now));
      }
      return new Revoked(revoked, voidedTokens);
    });
    for (String serial : done.serials()) {
      revocations.markRevoked(serial);
      audit.record(AuditKind.REVOKE, principal, rpc, "certificate:" + serial, reason);
    }
    if (done.voidedTokens() > 0) {
      audit.record(AuditKind.REVOKE, principal, rpc, "enrollment_token:" + taskTry.resource(),
          done.voidedTokens() + " unredeemed enrollment token(s) voided; " + (reason == null ? "" : reason));
    }
    return done.serials();
  }

  /** What one revocation did: the serials newly revoked, and the enrollment tokens voided. */
  private record Revoked(List<String> serials, int voidedTokens) {}
}
