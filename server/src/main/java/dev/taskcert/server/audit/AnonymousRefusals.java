package dev.taskcert.server.audit;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.server.config.ServerConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The audit of refused anonymous enrollments, which anyone who can reach the port can cause at
 * will: per remote address and kind of refusal (the refused resource), the first refusal of a
 * window is recorded as an event as usual, and the later ones of the window are only counted, into
 * one summary event ({@code "<n> more refusals ..."}) written when the window closes, when the next
 * refusal after it arrives, or when the server stops. Every refusal is still counted in the
 * metrics.
 *
 * <p>At most {@value #MAX_TRACKED} windows are open at once; beyond that, refusals from further
 * addresses share one window per kind under {@value #OTHER_ADDRESSES}. So memory stays bounded,
 * and so does the number of audit rows per window, however many addresses a caller uses.
 */
@Singleton
public final class AnonymousRefusals implements AutoCloseable {
  /** Windows open at once before further addresses are counted together. */
  static final int MAX_TRACKED = 10_000;
  /** The address under which refusals beyond {@link #MAX_TRACKED} open windows are counted. */
  static final String OTHER_ADDRESSES = "other addresses";

  private final AuditLog audit;
  private final Clock clock;
  private final Duration window;
  private final Map<Key, Window> windows = new HashMap<>();
  private ScheduledExecutorService closer;
  private boolean closed;

  @Inject
  AnonymousRefusals(AuditLog audit, Clock clock, ServerConfig config) {
    this.audit = audit;
    this.clock = clock;
    this.window = config.enrollmentLimits().refusalAuditWindow();
  }

  private record Key(String peer, String resource) {}

  /** The refusals of one address and kind since the first, which was recorded. */
  private static final class Window {
    final long openedNanos;
    final Instant openedAt;
    final String rpc;
    long more;
    String lastDetail;

    Window(long openedNanos, Instant openedAt, String rpc) {
      this.openedNanos = openedNanos;
      this.openedAt = openedAt;
      this.rpc = rpc;
    }
  }

  /** A window's closing summary, to write once it is out of the map. */
  private record Summary(Key key, Window window) {}

  /**
   * Audits one refused anonymous call: recorded when it is the first of its address and kind in
   * the current window, counted into the window's summary otherwise.
   *
   * @param peer the remote address (see {@code PeerAddresses})
   * @param resource the kind of refusal, for example {@code enrollment_token}
   * @param detail why it was refused
   */
  public void record(String peer, String rpc, String resource, String detail) {
    List<Summary> due = new ArrayList<>();
    boolean recordIt;
    String as = peer;
    synchronized (this) {
      long now = System.nanoTime();
      if (closed) {
        recordIt = true;
      } else {
        Key key = new Key(peer, resource);
        Window open = windows.get(key);
        if (open != null && expired(open, now)) {
          windows.remove(key);
          due.add(new Summary(key, open));
          open = null;
        }
        if (open == null && windows.size() >= MAX_TRACKED) {
          closeExpired(now, due);
          if (windows.size() >= MAX_TRACKED) {
            key = new Key(OTHER_ADDRESSES, resource);
            as = OTHER_ADDRESSES;
            open = windows.get(key);
          }
        }
        if (open == null) {
          windows.put(key, new Window(now, clock.instant(), rpc));
          startCloser();
          recordIt = true;
        } else {
          open.more++;
          open.lastDetail = detail;
          recordIt = false;
        }
      }
    }
    due.forEach(this::write);
    if (recordIt) {
      audit.record(AuditKind.ENROLL_REFUSED, null, rpc, resource, "from " + as + ": " + detail);
    } else {
      audit.count(AuditKind.ENROLL_REFUSED, resource);
    }
  }

  /** Writes the summaries of the windows that have closed. */
  void closeExpiredWindows() {
    List<Summary> due = new ArrayList<>();
    synchronized (this) {
      closeExpired(System.nanoTime(), due);
    }
    due.forEach(this::write);
  }

  /** Closes every open window now, writing its summary; the next refusal of each kind opens a new one. */
  public void flush() {
    List<Summary> due = new ArrayList<>();
    synchronized (this) {
      windows.forEach((key, open) -> due.add(new Summary(key, open)));
      windows.clear();
    }
    due.forEach(this::write);
  }

  /** Writes the summary of every open window; later refusals are each recorded as they come. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (closer != null) {
        closer.shutdownNow();
      }
    }
    flush();
  }

  private boolean expired(Window open, long now) {
    return now - open.openedNanos >= window.toNanos();
  }

  private void closeExpired(long now, List<Summary> due) {
    for (Iterator<Map.Entry<Key, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Window> entry = it.next();
      if (expired(entry.getValue(), now)) {
        due.add(new Summary(entry.getKey(), entry.getValue()));
        it.remove();
      }
    }
  }

  /** Starts the thread that closes windows nobody refreshes, once the first window opens. */
  private void startCloser() {
    if (closer != null) {
      return;
    }
    closer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "taskcert-refusal-audit");
      thread.setDaemon(true);
      return thread;
    });
    long period = Math.max(1000, window.toMillis() / 4);
    closer.scheduleWithFixedDelay(() -> {
      try {
        closeExpiredWindows();
      } catch (RuntimeException e) {
        // The audit log itself reports a row it could not store; the next round tries the rest.
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  private void write(Summary summary) {
    Window closedWindow = summary.window();
    if (closedWindow.more == 0) {
      return;
    }
    audit.write(AuditKind.ENROLL_REFUSED, null, closedWindow.rpc, summary.key().resource(),
        "from " + summary.key().peer() + ": " + closedWindow.more + " more refusals since " + closedWindow.openedAt
            + " (window " + window + "); last: " + closedWindow.lastDetail);
  }
}
