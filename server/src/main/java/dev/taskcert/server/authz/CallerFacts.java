package dev.taskcert.server.authz;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.cache.SharedLoadCache;
import dev.taskcert.server.catalog.DagOwnership;
import dev.taskcert.server.catalog.OwnershipCache;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.revocation.RevocationCache;
import dev.taskcert.server.taskinstance.TaskInstanceCache;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * The facts the front door admits a task's call on, through the caches that keep each of them:
 * whether the caller's certificate is revoked, and its task instance. When either cache misses,
 * every fact of the caller is read in one query ({@link CallerFactsMapper#FACTS}), its DAG's
 * ownership included, and every cache that missed is filled from it; so a call on cold caches (a
 * replica with {@code cache.ttl=PT0S}) costs that one query before its own work.
 *
 * <p>Each cache's entry is claimed before the query runs (see {@link SharedLoadCache#claim}):
 * concurrent misses of one fact still share one load, and a fact invalidated while the query runs
 * (a notification from another replica) is not stored.
 */
@Singleton
public final class CallerFacts {
  private final Transactions transactions;
  private final RevocationCache revocations;
  private final TaskInstanceCache instances;
  private final OwnershipCache ownership;
  private final CertificateGenerations generations;
  private final long maxTryMillis;

  @Inject
  CallerFacts(Transactions transactions, RevocationCache revocations, TaskInstanceCache instances,
      OwnershipCache ownership, CertificateGenerations generations, ServerConfig config) {
    this.transactions = transactions;
    this.revocations = revocations;
    this.instances = instances;
    this.ownership = ownership;
    this.generations = generations;
    this.maxTryMillis = config.liveness().maxTryDuration().toMillis();
  }

  /**
   * What the gate needs of a task's call.
   *
   * @param row the caller's task instance, or {@code null} if there is none
   * @param generation the execution the caller's certificate was issued for (0: never issued to a task)
   */
  public record Known(boolean revoked, TaskInstanceRow row, IntSupplier generation) {}

  /**
   * The caller's facts, cached or read at once; when they are read, the caller's DAG's ownership
   * read with them is given to {@code callerDag} for the call's scope decisions.
   */
  public Known of(TaskIdentity caller, String serialHex, AdmittedCall.CallerDag callerDag) {
    SharedLoadCache.Claim<Boolean> revoked = revocations.claim(serialHex);
    SharedLoadCache.Claim<Optional<TaskInstanceRow>> row = instances.claim(caller);
    if (!revoked.isMine() && !row.isMine()) {
      return new Known(revoked.join(), row.join().orElse(null), () -> generations.of(serialHex));
    }
    SharedLoadCache.Claim<Optional<DagOwnership>> dag = ownership.claim(caller.dagId());
    List<SharedLoadCache.Claim<?>> mine = Stream.of(revoked, row, dag).filter(SharedLoadCache.Claim::isMine).toList();
    CallerFactsRow facts;
    try {
      facts = read(caller, serialHex);
    } catch (RuntimeException | Error e) {
      mine.forEach(claim -> claim.fail(e));
      throw e;
    }
    // Every claim of this caller is completed before any other's is joined, so that two callers
    // each loading a fact the other waits for never wait on each other.
    if (revoked.isMine()) {
      revoked.complete(facts.revoked());
    }
    if (row.isMine()) {
      row.complete(facts.row(caller));
    }
    if (dag.isMine()) {
      dag.complete(facts.ownership(caller.dagId()));
    }
    generations.known(serialHex, facts.generation());
    callerDag.know(facts.ownership(caller.dagId()));
    int generation = facts.generation();
    return new Known(revoked.join(), row.join().orElse(null), () -> generation);
  }

  /** The caller's facts as the database has them now, in one query, bypassing every cache. */
  public CallerFactsRow read(TaskIdentity caller, String serialHex) {
    return transactions.oneStatement(CallerFactsMapper.class, mapper -> mapper.read(serialHex, caller.dagId(),
        caller.runId(), caller.taskId(), caller.mapIndex(), maxTryMillis));
  }
}
