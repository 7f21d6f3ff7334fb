package dev.taskcert.server.enrollment;

import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.grpc.Refusals;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads that serve Enroll: a fixed number, with a bounded queue in front, so anonymous
 * callers can never make the server take on more than that at once. A call that finds the queue
 * full is refused at once with RESOURCE_EXHAUSTED; one whose caller has given up while it waited
 * is dropped unserved. Failures become statuses through {@link Refusals}, as on any other call
 * ({@link UnaryCalls#respondOnOwnThread}).
 */
@Singleton
public final class EnrollmentWorkers implements AutoCloseable {
  private final ThreadPoolExecutor pool;
  private final Refusals refusals;
  private final CurrentCall call;
  private final int threads;
  private final int queue;

  @Inject
  EnrollmentWorkers(ServerConfig config, Refusals refusals, CurrentCall call) {
    this.refusals = refusals;
    this.call = call;
    this.threads = config.enrollmentLimits().threads();
    this.queue = config.enrollmentLimits().queue();
    this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
        daemonThreads(), new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code body} on a worker and completes the call with its result or failure.
   *
   * @throws Refusal RESOURCE_EXHAUSTED, before anything runs, when every worker is busy and the
   *     queue is full
   */
  public <T> void respond(StreamObserver<T> observer, Supplier<T> body) {
    Runnable task = Context.current().wrap(() -> serve(observer, body));
    try {
      pool.execute(task);
    } catch (RejectedExecutionException full) {
      throw Refusal.enrollment(Refusal.Kind.EXHAUSTED, "enrollment_capacity",
          "the server is enrolling as many tasks as it can; retry later",
          "all " + threads + " enrollment threads busy and " + queue + " enrollments queued");
    }
  }

  private <T> void serve(StreamObserver<T> observer, Supplier<T> body) {
    if (Context.current().isCancelled()) {
      return; // the caller gave up, or its deadline passed, while the call was queued
    }
    UnaryCalls.respondOnOwnThread(observer, body, refusals, call);
  }

  /** Stops taking calls and waits briefly for those running to finish. */
  @Override
  public void close() throws InterruptedException {
    pool.shutdown();
    if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
      pool.shutdownNow();
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "taskcert-enroll-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
