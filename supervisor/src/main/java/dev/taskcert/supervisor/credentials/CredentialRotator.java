package dev.taskcert.supervisor.credentials;

import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskcertException;
import io.grpc.Channel;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a task try's credentials fresh: renews at a fraction of each certificate's remaining
 * lifetime (with jitter, so many supervisors do not renew in step), over the current mutual-TLS
 * channel, with a new in-memory key each time, and hands the result to listeners (the rotating
 * channel). Failures are retried with exponential backoff that never waits past expiry; listeners
 * hear of each failure with the time the current certificate expires, and of the end when the
 * server says the try is no longer live.
 */
public final class CredentialRotator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CredentialRotator.class);

  /** Hears about renewals. */
  public interface Listener {
    /** New credentials are in force. */
    void onRenewed(TaskCredentials credentials);

    /** A renewal attempt failed; the current certificate expires at {@code expiresAt}. */
    default void onRenewalFailed(TaskcertException error, Instant expiresAt) {}

    /** The try is no longer live (ended or superseded) or its certificate is refused: renewal stopped for good. */
    default void onTryEnded(TaskcertException error) {}
  }

  private final Channel channel;
  private final SupervisorConfig.RenewalPolicy policy;
  private final Duration callTimeout;
  private final dev.taskcert.pki.crypto.SignatureProvider signatures;
  private final Clock clock;
  private final SecureRandom random;
  private final ScheduledExecutorService scheduler;
  private final AtomicReference<TaskCredentials> current;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile Instant receivedAt;
  private volatile ScheduledFuture<?> next;
  private volatile boolean stopped;
  private volatile Thread renewalThread;

  public CredentialRotator(TaskCredentials initial, Channel channel, SupervisorConfig config, Clock clock,
      SecureRandom random) {
    this.channel = channel;
    this.policy = config.renewal();
    this.callTimeout = config.callTimeout();
    this.signatures = config.signatures();
    this.clock = clock;
    this.random = random;
    this.current = new AtomicReference<>(initial);
    this.receivedAt = clock.instant();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "taskcert-renewal");
      thread.setDaemon(true);
      renewalThread = thread;
      return thread;
    });
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** The credentials in force now. */
  public TaskCredentials current() {
    return current.get();
  }

  /** Schedules the first renewal. */
  public void start() {
    schedule(renewalDelay(), policy.initialBackoff());
  }

  /** When to renew the current certificate: a jittered fraction of what remained when it arrived. */
  Duration renewalDelay() {
    double share = policy.fraction() + (random.nextDouble() * 2 - 1) * policy.jitter();
    long millis = Math.max(0,
        (long) (remainingWhenReceived().toMillis() * share) - Duration.between(receivedAt, clock.instant()).toMillis());
    return Duration.ofMillis(millis);
  }

  /**
   * How long the current certificate had left when it arrived. Measured on the server's clock
   * (issue time to not-after) when the server said when it issued it, so an offset between this
   * clock and the server's does not shift renewals; elapsed time since then is this clock's own,
   * where a constant offset cancels out.
   */
  private Duration remainingWhenReceived() {
    TaskCredentials credentials = current.get();
    Instant from = credentials.issuedAt() != null ? credentials.issuedAt() : receivedAt;
    return Duration.between(from, credentials.notAfter());
  }

  /** When the current certificate expires, on this clock. */
  private Instant expiresAtLocally() {
    return receivedAt.plus(remainingWhenReceived());
  }

  private void schedule(Duration delay, Duration backoff) {
    if (stopped) {
      return;
    }
    next = scheduler.schedule(() -> renew(backoff), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void renew(Duration backoff) {
    if (stopped) {
      return;
    }
    try {
      TaskCredentials renewed = Enrollment.renew(channel, callTimeout, random, signatures);
      current.set(renewed);
      receivedAt = clock.instant();
      log.debug("renewed {}: serial {} valid until {}", renewed.spiffeId(), renewed.serialHex(), renewed.notAfter());
      for (Listener listener : listeners) {
        listener.onRenewed(renewed);
      }
      schedule(renewalDelay(), policy.initialBackoff());
    } catch (TaskcertException.TaskNotLive | TaskcertException.PermissionDenied | TaskcertException.NotAuthenticated e) {
      if (stopped) {
        return; // closed while this attempt was in flight: nobody is listening for its outcome
      }
      // The try ended, or the certificate itself is no longer accepted (revoked or expired):
      // renewing again cannot succeed.
      log.info("renewal stopped: {}", e.getMessage());
      stopped = true;
      listeners.forEach(listener -> listener.onTryEnded(e));
    } catch (TaskcertException e) {
      if (stopped) {
        return; // closed while this attempt was in flight, which interrupts it
      }
      Instant expiresAt = current.get().notAfter();
      Duration left = Duration.between(clock.instant(), expiresAtLocally());
      log.warn("certificate renewal failed ({}); the certificate expires in {} ms; retrying in {} ms",
          e.getMessage(), left.toMillis(), Math.min(backoff.toMillis(), Math.max(0, left.toMillis() / 2)));
      listeners.forEach(listener -> listener.onRenewalFailed(e, expiresAt));
      Duration wait = left.isNegative() ? backoff : Duration.ofMillis(Math.min(backoff.toMillis(), left.toMillis() / 2));
      Duration nextBackoff = backoff.multipliedBy(2).compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff() : backoff.multipliedBy(2);
      schedule(wait, nextBackoff);
    } catch (RuntimeException e) {
      if (stopped) {
        return;
      }
      log.error("unexpected renewal failure", e);
      schedule(backoff, policy.maxBackoff());
    }
  }

  /**
   * Stops renewing: a renewal in flight is interrupted, and once this returns no listener hears
   * anything more (a closed session's interrupted attempt is not a failed renewal).
   */
  @Override
  public void close() {
    stopped = true;
    ScheduledFuture<?> pending = next;
    if (pending != null) {
      pending.cancel(false);
    }
    scheduler.shutdownNow();
    if (Thread.currentThread() == renewalThread) {
      return; // closed by a listener, on the renewal thread itself
    }
    try {
      if (!scheduler.awaitTermination(callTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("a certificate renewal did not stop within {} ms of closing", callTimeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
