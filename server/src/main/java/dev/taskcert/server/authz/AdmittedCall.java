package dev.taskcert.server.authz;

import dev.taskcert.server.catalog.DagOwnership;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import io.grpc.Context;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * What the front door established about a call it admitted: the method, its rule, the verified
 * caller ({@code null} for an anonymous method) and, for a task, its try as the gate admitted it
 * ({@code null} when the method's own statement applies the gate, see {@link
 * MethodRule#gateInStatement()}). It also records whether the call made a scope decision, which a
 * method reaching others' resources must do before it answers, and whether a method that applies
 * the gate itself did; and it keeps the caller's DAG's ownership once the call knows it.
 */
public record AdmittedCall(
    String method, MethodRule rule, Principal principal, TaskInstanceRow admittedTry, AtomicBoolean scopeDecided,
    AtomicBoolean gateApplied, CallerDag callerDag) {
  /** Where the front door leaves the admitted call for the code that serves it. */
  public static final Context.Key<AdmittedCall> KEY = Context.key("taskcert.admitted-call");

  /** A newly admitted call that has made no scope decision yet. */
  public static AdmittedCall of(String method, MethodRule rule, Principal principal, TaskInstanceRow admittedTry,
      CallerDag callerDag) {
    return new AdmittedCall(method, rule, principal, admittedTry, new AtomicBoolean(), new AtomicBoolean(), callerDag);
  }

  /**
   * The caller's DAG's owner and declarations, once this call knows them: read with the caller's
   * other facts by the front door, or by the call's first scope decision. A call decides every
   * scope question on the same facts, read at most once.
   */
  public static final class CallerDag {
    private volatile Optional<DagOwnership> known;

    /** Keeps the ownership read with the caller's other facts. */
    void know(Optional<DagOwnership> ownership) {
      known = ownership;
    }

    /** The ownership, loaded with {@code load} unless the call knows it already. */
    Optional<DagOwnership> orLoad(Supplier<Optional<DagOwnership>> load) {
      Optional<DagOwnership> ownership = known;
      if (ownership == null) {
        ownership = load.get();
        known = ownership;
      }
      return ownership;
    }
  }
}
