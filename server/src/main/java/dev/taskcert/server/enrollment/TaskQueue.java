package dev.taskcert.server.enrollment;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.catalog.CatalogMapper;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.taskinstance.TaskInstanceCache;
import dev.taskcert.server.taskinstance.TaskInstanceMapper;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.authz.CurrentCall;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Queues task tries for the control plane: creates the first try of a task instance, or makes the
 * next try current (which supersedes every earlier try's certificates and tokens), and mints the
 * try's single-use enrollment token.
 */
public final class TaskQueue {
  private final Transactions transactions;
  private final EnrollmentTokens tokens;
  private final SpiffeIdCodec codec;
  private final ServerConfig config;
  private final Clock clock;
  private final AuditLog audit;
  private final TaskInstanceCache cache;
  private final CurrentCall call;

  @Inject
  TaskQueue(
      Transactions transactions,
      EnrollmentTokens tokens,
      SpiffeIdCodec codec,
      ServerConfig config,
      Clock clock,
      AuditLog audit,
      TaskInstanceCache cache,
      CurrentCall call) {
    this.call = call;
    this.cache = cache;
    this.transactions = transactions;
    this.tokens = tokens;
    this.codec = codec;
    this.config = config;
    this.clock = clock;
    this.audit = audit;
  }

  /**
   * Queues the next try of (dag, run, task, map index).
   *
   * @param tokenTtl how long the token stays redeemable; {@code null} for the configured default
   * @throws Refusal NOT_FOUND if the dag run does not exist
   */
  public QueuedTry queue(String dagId, String runId, String taskId, int mapIndex, int maxTries, Duration tokenTtl) {
    return queue(dagId, runId, taskId, mapIndex, maxTries, tokenTtl, null);
  }

  /**
   * Queues the next try, keyed also by the control plane's own task-instance id.
   *
   * @param maxTries retries allowed (Airflow's max_tries): a try may be retried while its number is at most this
   * @param schedulerTiId the control plane's id of the task instance, or {@code null}
   */
  public QueuedTry queue(String dagId, String runId, String taskId, int mapIndex, int maxTries, Duration tokenTtl,
      String schedulerTiId) {
    Duration ttl = tokenTtl == null ? config.enrollmentTokenTtl() : tokenTtl;
    Instant expiresAt = clock.instant().plus(ttl);
    String token = tokens.mint();
    QueuedTry queued =
        transactions.inTransaction(
            session -> {
              CatalogMapper catalog = session.getMapper(CatalogMapper.class);
              TaskInstanceMapper instances = session.getMapper(TaskInstanceMapper.class);
              Long dagRunId = catalog.dagRunId(dagId, runId);
              if (dagRunId == null) {
                throw Refusal.notFound("dag run " + dagId + "/" + runId + " does not exist");
              }
              TaskInstanceRow existing = instances.lock(dagId, runId, taskId, mapIndex);
              long id;
              if (existing == null) {
                id = instances.insertFirstTry(dagRunId, taskId, mapIndex, Math.max(0, maxTries), schedulerTiId);
              } else {
                id = existing.id();
                instances.startNextTry(id, Math.max(0, maxTries), schedulerTiId);
              }
              TaskInstanceRow row = instances.lockById(id);
              session
                  .getMapper(EnrollmentTokenMapper.class)
                  .insert(EnrollmentTokens.hash(token), id, row.tryNumber(), row.executionGeneration(), expiresAt);
              TaskIdentity identity = row.currentTry();
              return new QueuedTry(identity, codec.encode(identity), token, expiresAt);
            });
    cache.invalidate(queued.identity());
    audit.record(AuditKind.QUEUE, call.callerId(), call.method(), queued.spiffeId(), "token expires " + expiresAt);
    return queued;
  }
}
