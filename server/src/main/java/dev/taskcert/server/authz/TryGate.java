package dev.taskcert.server.authz;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.revocation.RevocationMapper;
import dev.taskcert.server.taskinstance.TaskInstanceMapper;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.taskinstance.TaskState;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntSupplier;
import org.apache.ibatis.session.SqlSession;

/**
 * The try-state gate, driven by each method's declared rule: the certificate's try must be the
 * task instance's current try, in a state the rule admits. The front door applies it to every task
 * call before service code runs ({@link #admit}); a service that changes the try applies the same
 * rule again under the row lock ({@link #lock}), so no state can slip in between. A method whose
 * rule has {@link MethodRule#gateInStatement()} checks the same conditions in its own statement
 * and explains a refusal with {@link #applied}. Refusals are {@link Refusal#tryState}, naming the
 * current state or try.
 *
 * <p>A try resumed after deferral or reschedule keeps its try number but runs a new execution
 * generation: a certificate issued for an earlier generation is refused as superseded. A rule with
 * {@code post_terminal_grace} also admits a try that finished itself, for {@code
 * try.post_terminal_grace} after it did (its revoked certificates never reach this gate).
 */
public final class TryGate {
  private final CallerFacts facts;
  private final CurrentCall call;
  private final Clock clock;
  private final Duration grace;

  @Inject
  TryGate(CallerFacts facts, CurrentCall call, Clock clock, ServerConfig config) {
    this.facts = facts;
    this.call = call;
    this.clock = clock;
    this.grace = config.liveness().postTerminalGrace();
  }

  /**
   * Admits {@code caller}'s try for {@code rule}: refuses a revoked certificate, then applies the
   * gate, on the caller's facts as the caches keep them (stale by at most the cache TTL, usually
   * not at all), all read in one query when a cache misses ({@link CallerFacts}).
   *
   * @param callerDag where the caller's DAG's ownership goes when it is read with the other facts
   * @return the task instance as read
   */
  public TaskInstanceRow admit(TaskIdentity caller, String serialHex, MethodRule rule, AdmittedCall.CallerDag callerDag) {
    CallerFacts.Known known = facts.of(caller, serialHex, callerDag);
    if (known.revoked()) {
      throw revoked(serialHex);
    }
    check(caller, known.row(), rule, known.generation());
    return known.row();
  }

  /**
   * Whether {@code rule} admitted {@code row} only through the post-terminal grace (the try had
   * finished); such calls are audited as post-terminal.
   */
  public static boolean postTerminal(TaskInstanceRow row, MethodRule rule) {
    return row != null && rule.postTerminalGrace() && !rule.admits(row.taskState());
  }

  /** The refusal of a revoked certificate, the same wherever revocation is checked. */
  public static Refusal revoked(String serialHex) {
    return Refusal.unauthenticated("client certificate " + serialHex + " is revoked");
  }

  /**
   * Applies the current call's rule to the caller's facts as a statement of the call read them,
   * refusing exactly as the front door would: UNAUTHENTICATED for a revoked certificate, then the
   * gate's refusals. Returns the task instance when the facts pass, and records on the call that
   * its gate was applied (a method whose rule has {@link MethodRule#gateInStatement()} must, before
   * it answers).
   */
  public TaskInstanceRow applied(CallerFactsRow read) {
    if (read.revoked()) {
      throw revoked(call.principal().serialHex());
    }
    return gated(read);
  }

  /** {@link #applied} on the caller's facts read afresh, bypassing every cache, in one query. */
  public TaskInstanceRow appliedNow() {
    return applied(facts.read(call.task(), call.principal().serialHex()));
  }

  /**
   * Reads the current call's try afresh, bypassing every cache, and applies its rule again to it:
   * for a call whose conditional write found the try changed under it, to report how.
   */
  public TaskInstanceRow readmit() {
    return gated(facts.read(call.task(), call.principal().serialHex()));
  }

  private TaskInstanceRow gated(CallerFactsRow read) {
    TaskIdentity caller = call.task();
    TaskInstanceRow row = read.row(caller).orElse(null);
    check(caller, row, call.rule(), read::generation);
    call.gateApplied();
    return row;
  }

  /**
   * Records that the call's own statement checked the caller's revocation and its try gate, and
   * did its work: the statement admitted the call.
   */
  public void admittedByStatement() {
    call.gateApplied();
  }

  /**
   * Locks the current call's task instance row in {@code session}, and applies its rule again
   * under the lock, with revocation of the caller's certificate checked in the same transaction
   * (revocation takes the same lock, so a revocation that committed since the front door checked
   * still stops the call).
   */
  public LockedTry lock(SqlSession session) {
    TaskIdentity caller = call.task();
    MethodRule rule = call.rule();
    TaskInstanceRow row = session.getMapper(TaskInstanceMapper.class)
        .lock(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex());
    String serial = call.principal().serialHex();
    if (session.getMapper(RevocationMapper.class).isRevoked(serial)) {
      throw revoked(serial);
    }
    boolean repeat = check(caller, row, rule, () -> CertificateGenerations.of(session, serial));
    return new LockedTry(row, repeat, rule);
  }

  /** Returns whether the try is admitted as a possible repeat (it is in one of the rule's repeat states). */
  private boolean check(TaskIdentity caller, TaskInstanceRow row, MethodRule rule, IntSupplier certificateGeneration) {
    if (row == null) {
      throw Refusal.tryState("task instance does not exist");
    }
    if (row.tryNumber() != caller.tryNumber()) {
      throw Refusal.tryState("try " + caller.tryNumber() + " is superseded: the current try is " + row.tryNumber());
    }
    if (row.executionGeneration() > 1) {
      int generation = certificateGeneration.getAsInt();
      if (generation != row.executionGeneration()) {
        throw Refusal.tryState("the certificate is of execution " + generation + " of try " + row.tryNumber()
            + ", superseded by execution " + row.executionGeneration() + " after a resume");
      }
    }
    if (!rule.admits(row.taskState())) {
      if (withinGrace(row, rule)) {
        return false;
      }
      throw notAdmitted(row, rule);
    }
    return !rule.tryStates().contains(row.taskState());
  }

  private boolean withinGrace(TaskInstanceRow row, MethodRule rule) {
    if (!rule.postTerminalGrace() || !TaskState.FINISHED_BY_ITSELF.contains(row.taskState())) {
      return false;
    }
    Instant finished = row.updatedAt();
    if (finished == null || grace.isZero() || clock.instant().isAfter(finished.plus(grace))) {
      throw Refusal.tryState("task instance is " + row.state() + " since " + finished
          + "; its post-terminal grace of " + grace + " is over");
    }
    return true;
  }

  private static Refusal notAdmitted(TaskInstanceRow row, MethodRule rule) {
    return Refusal.tryState("task instance is " + row.state() + "; this call needs " + rule.tryStatesText());
  }

  /**
   * The caller's try, locked for the rest of the transaction. When {@code repeat}, the try is
   * already where the call would move it: the call may only be the same call again.
   */
  public record LockedTry(TaskInstanceRow row, boolean repeat, MethodRule rule) {
    /**
     * For a repeat: returns when it is the same call again (to be answered without change), else
     * refuses as the state gate would have.
     */
    public void requireSameCall(boolean same) {
      if (!same) {
        throw notAdmitted(row, rule);
      }
    }
  }
}
