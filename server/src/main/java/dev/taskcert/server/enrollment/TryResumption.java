package dev.taskcert.server.enrollment;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.liveness.EndingTry;
import dev.taskcert.server.liveness.TryEndingMapper;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.revocation.RevocationCache;
import dev.taskcert.server.taskinstance.TaskInstanceCache;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Resumes a deferred or rescheduled try as Airflow does: the same try (same number, same identity),
 * not a new one, so no retry is spent. The resumed execution is a new execution generation of the
 * try with its own single-use enrollment token; in the same transaction every certificate of the
 * earlier executions is revoked, and the try gate refuses any certificate of an earlier generation,
 * so a key stolen before the deferral does not come back to life.
 */
public final class TryResumption {
  private final Transactions transactions;
  private final EnrollmentTokens tokens;
  private final SpiffeIdCodec codec;
  private final ServerConfig config;
  private final Clock clock;
  private final AuditLog audit;
  private final TaskInstanceCache cache;
  private final RevocationCache revocations;
  private final CurrentCall call;

  @Inject
  TryResumption(Transactions transactions, EnrollmentTokens tokens, SpiffeIdCodec codec, ServerConfig config,
      Clock clock, AuditLog audit, TaskInstanceCache cache, RevocationCache revocations, CurrentCall call) {
    this.transactions = transactions;
    this.tokens = tokens;
    this.codec = codec;
    this.config = config;
    this.clock = clock;
    this.audit = audit;
    this.cache = cache;
    this.revocations = revocations;
    this.call = call;
  }

  /** A resumed try: its new generation, its token, and the earlier certificates revoked. */
  public record ResumedTry(QueuedTry queued, int generation, List<String> revokedSerials) {}

  /**
   * Resumes try {@code tryNumber} of (dag, run, task, map index).
   *
   * @param tokenTtl how long the token stays redeemable; {@code null} for the configured default
   * @param schedulerTiId the control plane's id of the task instance, or {@code null} to keep it
   * @throws Refusal NOT_FOUND if there is no such task instance; FAILED_PRECONDITION if the try is
   *     not current, or neither DEFERRED nor UP_FOR_RESCHEDULE
   */
  public ResumedTry resume(String dagId, String runId, String taskId, int mapIndex, int tryNumber, Duration tokenTtl,
      String schedulerTiId) {
    Instant expiresAt = clock.instant().plus(tokenTtl == null ? config.enrollmentTokenTtl() : tokenTtl);
    String token = tokens.mint();
    ResumedTry resumed = transactions.inTransaction(session -> {
      TryEndingMapper ending = session.getMapper(TryEndingMapper.class);
      EndingTry locked = ending.lockTaskInstance(dagId, runId, taskId, mapIndex);
      if (locked == null) {
        throw Refusal.notFound("task instance does not exist");
      }
      if (locked.tryNumber() != tryNumber) {
        throw Refusal.precondition("try " + tryNumber + " is not current: the current try is " + locked.tryNumber());
      }
      Integer generation = session.getMapper(TryResumptionMapper.class).resume(locked.id(), tryNumber, schedulerTiId);
      if (generation == null) {
        throw Refusal.precondition("try " + tryNumber + " is " + locked.state()
            + "; only a DEFERRED or UP_FOR_RESCHEDULE try can be resumed");
      }
      List<String> revoked = ending.revokeCertificates(locked.id(), tryNumber,
          "superseded by execution " + generation + " of the try");
      session.getMapper(EnrollmentTokenMapper.class)
          .insert(EnrollmentTokens.hash(token), locked.id(), tryNumber, generation, expiresAt);
      TaskIdentity identity = locked.identity();
      return new ResumedTry(new QueuedTry(identity, codec.encode(identity), token, expiresAt), generation, revoked);
    });
    resumed.revokedSerials().forEach(revocations::markRevoked);
    cache.invalidate(resumed.queued().identity());
    audit.record(AuditKind.QUEUE, call.callerId(), call.method(), resumed.queued().spiffeId(),
        "resumed as execution " + resumed.generation() + "; " + resumed.revokedSerials().size()
            + " earlier certificate(s) revoked; token expires " + expiresAt);
    return resumed;
  }
}
