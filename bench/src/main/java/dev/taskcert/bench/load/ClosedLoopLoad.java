package dev.taskcert.bench.load;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop load generator: each caller issues its next asynchronous call as soon as the
 * previous one completes, for a warmup and then a measured window of fixed length. Latencies of
 * calls that complete inside the measured window are recorded; nothing is sent after the window
 * closes, and {@link #run} returns only when every caller has stopped.
 */
public final class ClosedLoopLoad {
  private static final ScheduledExecutorService RETRY_DELAY = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "bench-load-backoff");
    thread.setDaemon(true);
    return thread;
  });

  private final List<? extends Supplier<? extends ListenableFuture<?>>> callers;
  private final Recorder recorder = new Recorder(3);
  private final AtomicLong errors = new AtomicLong();
  private final CountDownLatch stopped;
  private volatile boolean running = true;
  private volatile boolean measuring;

  private ClosedLoopLoad(List<? extends Supplier<? extends ListenableFuture<?>>> callers) {
    this.callers = callers;
    this.stopped = new CountDownLatch(callers.size());
  }

  /** The raw outcome of one or more measured windows, which can be added up. */
  public record Window(Histogram histogram, long errors, double seconds) {
    /** This window and {@code other} together. */
    public Window plus(Window other) {
      Histogram sum = histogram.copy();
      sum.add(other.histogram());
      return new Window(sum, errors + other.errors(), seconds + other.seconds());
    }

    /** The result for {@code concurrency} callers. */
    public LoadResult result(int concurrency) {
      return ClosedLoopLoad.result(concurrency, histogram, errors, seconds);
    }
  }

  /**
   * Runs {@code callers} concurrently (one outstanding call each) for {@code warmup}, then
   * measures for {@code measure}.
   */
  public static LoadResult run(
      List<? extends Supplier<? extends ListenableFuture<?>>> callers, Duration warmup, Duration measure)
      throws InterruptedException {
    return window(callers, warmup, measure).result(callers.size());
  }

  /** As {@link #run}, returning the raw window. */
  public static Window window(
      List<? extends Supplier<? extends ListenableFuture<?>>> callers, Duration warmup, Duration measure)
      throws InterruptedException {
    return new ClosedLoopLoad(callers).execute(warmup, measure);
  }

  /**
   * Measures several variants fairly against each other: each is warmed up for {@code warmup},
   * then {@code measure} is split into {@code rounds} windows and the variants take turns (in a
   * rotated order each round, each window after a short ramp), so that a change in the machine's
   * other load during the run affects every variant alike. Results are the windows added up.
   */
  public static <K> Map<K, LoadResult> interleaved(
      Map<K, ? extends List<? extends Supplier<? extends ListenableFuture<?>>>> variants, Duration warmup,
      Duration measure, int rounds) throws InterruptedException {
    Map<K, LoadResult> results = new LinkedHashMap<>();
    interleaved(variants, warmup, measure, rounds, () -> () -> Boolean.TRUE, (a, b) -> a)
        .forEach((key, measured) -> results.put(key, measured.load()));
    return results;
  }

  /** A variant's load, and what a meter read around its windows, added up. */
  public record Metered<U>(LoadResult load, U meter) {}

  /**
   * As {@link #interleaved(Map, Duration, Duration, int)}, also reading a meter around each
   * measured window (ramp included): {@code meter} starts a reading and returns what stops it;
   * {@code sum} adds up a variant's readings (such as the CPU each process used).
   */
  public static <K, U> Map<K, Metered<U>> interleaved(
      Map<K, ? extends List<? extends Supplier<? extends ListenableFuture<?>>>> variants, Duration warmup,
      Duration measure, int rounds, Supplier<Supplier<U>> meter, BinaryOperator<U> sum) throws InterruptedException {
    List<K> keys = new ArrayList<>(variants.keySet());
    for (K key : keys) {
      window(variants.get(key), Duration.ZERO, warmup);
    }
    Duration slice = measure.dividedBy(rounds);
    Duration ramp = Duration.ofMillis(Math.min(250, Math.max(20, slice.toMillis() / 4)));
    Map<K, Window> windows = new LinkedHashMap<>();
    Map<K, U> readings = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < keys.size(); i++) {
        K key = keys.get((i + round) % keys.size());
        Supplier<U> reading = meter.get();
        windows.merge(key, window(variants.get(key), ramp, slice), Window::plus);
        readings.merge(key, reading.get(), sum);
      }
    }
    Map<K, Metered<U>> results = new LinkedHashMap<>();
    for (K key : keys) {
      results.put(key, new Metered<>(windows.get(key).result(variants.get(key).size()), readings.get(key)));
    }
    return results;
  }

  private Window execute(Duration warmup, Duration measure) throws InterruptedException {
    callers.forEach(this::issue);
    Thread.sleep(warmup.toMillis());
    recorder.getIntervalHistogram();
    errors.set(0);
    measuring = true;
    long start = System.nanoTime();
    Thread.sleep(measure.toMillis());
    Histogram histogram = recorder.getIntervalHistogram();
    long failed = errors.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    measuring = false;
    running = false;
    if (!stopped.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("callers did not stop within 30 s of the end of the window");
    }
    return new Window(histogram, failed, seconds);
  }

  static LoadResult result(int concurrency, Histogram histogram, long failed, double seconds) {
    long calls = histogram.getTotalCount();
    return new LoadResult(concurrency, calls, failed, seconds, calls / seconds,
        millis(histogram, 50), millis(histogram, 99), calls == 0 ? 0 : histogram.getMaxValue() / 1e6);
  }

  /** A percentile of a histogram of nanoseconds, in milliseconds. */
  public static double millis(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1e6;
  }

  private void issue(Supplier<? extends ListenableFuture<?>> caller) {
    if (!running) {
      stopped.countDown();
      return;
    }
    long start = System.nanoTime();
    ListenableFuture<?> call;
    try {
      call = caller.get();
    } catch (RuntimeException e) {
      errors.incrementAndGet();
      RETRY_DELAY.schedule(() -> issue(caller), 1, TimeUnit.MILLISECONDS);
      return;
    }
    call.addListener(() -> {
      long elapsed = System.nanoTime() - start;
      boolean succeeded = succeeded(call);
      if (measuring) {
        if (succeeded) {
          recorder.recordValue(elapsed);
        } else {
          errors.incrementAndGet();
        }
      }
      if (succeeded) {
        issue(caller);
      } else {
        // Back off briefly so that a failing target cannot spin a caller.
        RETRY_DELAY.schedule(() -> issue(caller), 1, TimeUnit.MILLISECONDS);
      }
    }, MoreExecutors.directExecutor());
  }

  private static boolean succeeded(ListenableFuture<?> call) {
    try {
      call.get();
      return true;
    } catch (ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
