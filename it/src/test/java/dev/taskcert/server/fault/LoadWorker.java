package dev.taskcert.server.fault;

import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One client of a fault test: a thread that repeats its operations until stopped, counting
 * successes (also since the fault was repaired) and recording every failure with its status.
 */
abstract class LoadWorker {
  /** A failed operation; {@code code} is the gRPC status, or {@code DATA_LOSS} for a wrong answer. */
  record Failure(String operation, Status.Code code, String description) {}

  private final String name;
  private final Thread thread;
  private final AtomicLong successes = new AtomicLong();
  private final AtomicLong successesSinceRecovery = new AtomicLong();
  private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private volatile boolean recovering;

  LoadWorker(String name) {
    this.name = name;
    this.thread = new Thread(this::run, "load-" + name);
  }

  /** A task try heartbeating, reading, and writing its own XComs and variable. */
  static LoadWorker forTask(String name, TestTask task, String taskId, String ownVariable) {
    return new TaskLoadWorker(name, task, taskId, ownVariable);
  }

  /** An operator writing a global variable and reading the audit log through the Admin API. */
  static LoadWorker forOperator(String name, Supplier<AdminGrpc.AdminBlockingStub> admin, String variable) {
    return new OperatorLoadWorker(name, admin, variable);
  }

  /** Performs operation number {@code step}; throws {@link StatusRuntimeException} when the server refuses. */
  abstract void step(long step) throws Exception;

  /** Asserts that every write the server acknowledged is in the database and no refused one is. */
  abstract void verifyDurable(TestEnvironment env) throws Exception;

  /** Pause between operations, so that no single client saturates a small machine. */
  long pauseMillis() {
    return 5;
  }

  final String name() {
    return name;
  }

  final void start() {
    thread.start();
  }

  final void stop() {
    running = false;
  }

  final void join() throws InterruptedException {
    thread.join(60_000);
    if (thread.isAlive()) {
      throw new IllegalStateException(name + " did not stop within 60 s");
    }
  }

  final void markRecoveryStarted() {
    recovering = true;
  }

  final long successes() {
    return successes.get();
  }

  final long successesSinceRecovery() {
    return successesSinceRecovery.get();
  }

  final int failureCount() {
    return failures.size();
  }

  final List<Failure> failures() {
    return List.copyOf(failures);
  }

  /** Records a wrong answer (a successful call whose content is not what was written). */
  final void wrongAnswer(String operation, String description) {
    failures.add(new Failure(operation, Status.Code.DATA_LOSS, description));
  }

  private void run() {
    for (long step = 0; running; step++) {
      try {
        step(step);
        successes.incrementAndGet();
        if (recovering) {
          successesSinceRecovery.incrementAndGet();
        }
      } catch (StatusRuntimeException e) {
        failures.add(new Failure(operationName(step), e.getStatus().getCode(), e.getStatus().getDescription()));
      } catch (dev.taskcert.supervisor.TaskcertException e) {
        failures.add(new Failure(operationName(step), e.code(), e.getMessage()));
      } catch (Exception e) {
        failures.add(new Failure(operationName(step), Status.Code.UNKNOWN, e.toString()));
      }
      try {
        Thread.sleep(pauseMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** A name for operation number {@code step}, for failure reports. */
  abstract String operationName(long step);
}
