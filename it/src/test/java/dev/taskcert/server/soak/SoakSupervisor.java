package dev.taskcert.server.soak;

import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.ExecutionClient;
import dev.taskcert.supervisor.client.StartedTask;
import dev.taskcert.supervisor.client.XComLocation;
import dev.taskcert.supervisor.credentials.CredentialRotator;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One supervisor of the soak: a started try of its own task, holding a self-renewing certificate,
 * plus what it wrote, how often it renewed and the fault injected into its try, if any. It waits
 * in the workers' schedule between calls, so at most one thread calls through it at a time; its
 * certificate renews in the background regardless.
 */
final class SoakSupervisor implements Delayed {
  static final String HOSTNAME = "soak-host";
  static final String XCOM_KEY = "soak_progress";

  /** A call answered, but not with what the server holds. */
  static final class WrongAnswer extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WrongAnswer(String message) {
      super(message);
    }
  }

  private final int slot;
  private final String taskId;
  private final SoakWorld.Team team;
  private final SoakWorld.Team otherTeam;
  private final TaskSession session;
  private final int pid;
  private final int tryNumber;
  private final long openedAt = System.nanoTime();
  private final AtomicInteger renewals = new AtomicInteger();
  private volatile Fault fault;
  private volatile long faultAt;
  private volatile TaskcertException renewalStop;
  private volatile long dueAt = System.nanoTime();
  // Touched only by the thread that took this supervisor from the schedule.
  private int refusals;
  private int xcomWrites;
  private String lastXCom;
  private String successorToken;

  private SoakSupervisor(int slot, SoakWorld world, TaskSession session, CallLedger ledger) {
    this.slot = slot;
    this.taskId = SoakWorld.taskIdOf(slot);
    this.team = world.teamOf(slot);
    this.otherTeam = world.otherThan(team);
    this.session = session;
    this.pid = 10_000 + slot;
    session.renewals().addListener(new CredentialRotator.Listener() {
      @Override
      public void onRenewed(TaskCredentials credentials) {
        renewals.incrementAndGet();
      }

      @Override
      public void onRenewalFailed(TaskcertException error, Instant expiresAt) {
        ledger.recordUnexplained(SoakSupervisor.this + ": renewal failed: " + error.getMessage());
      }

      @Override
      public void onTryEnded(TaskcertException error) {
        renewalStop = error;
        Fault injected = fault;
        if (injected == null || !injected.explains(error)) {
          ledger.recordUnexplained(SoakSupervisor.this + ": renewal stopped"
              + (injected == null ? "" : " after the try was " + injected) + ": " + error.getMessage());
        }
      }
    });
    StartedTask started = session.client().startTask(HOSTNAME, pid, "soak");
    this.tryNumber = started.tryNumber();
    // As a real supervisor does: what an earlier try of this task left behind is cleared first.
    started.xcomKeysToClear().forEach(key -> session.client().deleteXCom(key));
  }

  /** Enrolls with {@code token}, starts the try and clears its earlier tries' XComs. */
  static SoakSupervisor open(SupervisorConfig config, String token, int slot, SoakWorld world, CallLedger ledger) {
    TaskSession session = TaskSession.open(config, token, new SecureRandom());
    try {
      return new SoakSupervisor(slot, world, session, ledger);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** Makes one call and checks its answer. */
  void perform(Operation operation) {
    ExecutionClient client = session.client();
    switch (operation) {
      case HEARTBEAT -> client.heartbeat(HOSTNAME, pid);
      case GET_OWN_VARIABLE -> expect(team.variableValue(), client.getVariable(team.variable()).value(), operation);
      case GET_SHARED_VARIABLE ->
          expect(SoakWorld.SHARED_VALUE, client.getVariable(SoakWorld.SHARED_VARIABLE).value(), operation);
      case LIST_VARIABLE_KEYS -> expect(List.of(SoakWorld.SHARED_VARIABLE, team.variable()).stream().sorted().toList(),
          client.listVariableKeys(SoakWorld.PREFIX), operation);
      case GET_CONNECTION -> expect(team.password(), client.getConnection(team.connection()).password(), operation);
      case SET_XCOM -> {
        String value = "{\"write\": " + (++xcomWrites) + "}";
        client.setXCom(XCOM_KEY, value);
        lastXCom = value;
      }
      case GET_XCOM -> {
        if (lastXCom != null) {
          expect(lastXCom, client.getXCom(XComLocation.inOwnRun(taskId, XCOM_KEY)).valueJson(), operation);
        } else {
          expect(0, client.getXComCount(XComLocation.inOwnRun(taskId, XCOM_KEY)).count(), operation);
        }
      }
      case COUNT_XCOMS ->
          expect(lastXCom == null ? 0 : 1, client.getXComCount(XComLocation.inOwnRun(taskId, XCOM_KEY)).count(), operation);
      case SET_RENDERED_FIELDS -> client.setRenderedFields("{\"query\": \"select " + slot + "\"}");
      case PREVIOUS_DAG_RUN -> expect(false, client.previousSuccessfulDagRun().isPresent(), operation);
      case READ_OTHER_TEAMS_VARIABLE -> {
        try {
          client.getVariable(otherTeam.variable());
        } catch (TaskcertException.NotFound refused) {
          return;
        }
        throw new WrongAnswer("read the variable of team " + otherTeam.demo().team());
      }
    }
  }

  private static void expect(Object expected, Object actual, Operation operation) {
    if (!expected.equals(actual)) {
      throw new WrongAnswer(operation + " returned " + actual + " instead of " + expected);
    }
  }

  /** Records the fault about to be injected; calls and renewal are judged against it from now on. */
  void markFaulted(Fault injected) {
    faultAt = System.nanoTime();
    fault = injected;
  }

  /** Counts a call refused as the fault explains. */
  void refused() {
    refusals++;
  }

  /**
   * Whether this supervisor has shown what its fault does and can be replaced: {@code probes} calls
   * were refused and renewal stopped, or {@code patience} passed since the fault.
   */
  boolean doneProbing(int probes, Duration patience) {
    return fault != null && (refusals >= probes && renewalStop != null
        || System.nanoTime() - faultAt > patience.toNanos());
  }

  void successorToken(String token) {
    successorToken = token;
  }

  /** The enrollment token of the try that superseded this one, if the fault queued one. */
  String successorToken() {
    return successorToken;
  }

  void dueIn(Duration delay) {
    dueAt = System.nanoTime() + delay.toNanos();
  }

  @Override
  public long getDelay(TimeUnit unit) {
    return unit.convert(dueAt - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  @Override
  public int compareTo(Delayed other) {
    return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
  }

  /** Picks the next call: mostly at random, but an XCom is read only after one was written. */
  Operation nextOperation(Random random) {
    Operation operation = Operation.pick(random);
    return operation == Operation.GET_XCOM && lastXCom == null && random.nextBoolean() ? Operation.SET_XCOM : operation;
  }

  int slot() {
    return slot;
  }

  String taskId() {
    return taskId;
  }

  SoakWorld.Team team() {
    return team;
  }

  int tryNumber() {
    return tryNumber;
  }

  ExecutionClient client() {
    return session.client();
  }

  Fault fault() {
    return fault;
  }

  TaskcertException renewalStop() {
    return renewalStop;
  }

  int renewals() {
    return renewals.get();
  }

  Duration age() {
    return Duration.ofNanos(System.nanoTime() - openedAt);
  }

  void close() {
    session.close();
  }

  @Override
  public String toString() {
    return taskId + " try " + tryNumber + " (serial " + session.credentials().serialHex() + ")";
  }
}
