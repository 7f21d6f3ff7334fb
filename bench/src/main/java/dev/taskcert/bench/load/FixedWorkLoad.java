package dev.taskcert.bench.load;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs a fixed number of asynchronous operations, {@code concurrency} at a time, and measures how
 * long they take in total and each. Used where every operation consumes something (an enrollment
 * token) so a fixed-duration loop does not fit.
 */
public final class FixedWorkLoad {
  private FixedWorkLoad() {}

  /**
   * Runs operations {@code 0 .. count-1}; {@code operation} starts the i-th and returns its
   * future. Fails if the work has not finished within {@code limit}.
   */
  public static LoadResult run(int count, int concurrency, Duration limit,
      IntFunction<? extends ListenableFuture<?>> operation) throws InterruptedException {
    Recorder recorder = new Recorder(3);
    AtomicInteger next = new AtomicInteger();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(count);
    long start = System.nanoTime();
    for (int i = 0; i < Math.min(concurrency, count); i++) {
      startNext(next, count, operation, recorder, errors, done);
    }
    if (!done.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("only " + (count - done.getCount()) + " of " + count
          + " operations finished within " + limit);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram histogram = recorder.getIntervalHistogram();
    return ClosedLoopLoad.result(concurrency, histogram, errors.get(), seconds);
  }

  /**
   * Starts the next operation; when an operation is already complete on return (for example one
   * that failed at once), goes on with the following one in a loop rather than by recursion.
   */
  private static void startNext(AtomicInteger next, int count, IntFunction<? extends ListenableFuture<?>> operation,
      Recorder recorder, AtomicLong errors, CountDownLatch done) {
    while (true) {
      int index = next.getAndIncrement();
      if (index >= count) {
        return;
      }
      long start = System.nanoTime();
      ListenableFuture<?> future;
      try {
        future = operation.apply(index);
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        done.countDown();
        continue;
      }
      if (future.isDone()) {
        record(future, start, recorder, errors);
        done.countDown();
        continue;
      }
      future.addListener(() -> {
        record(future, start, recorder, errors);
        done.countDown();
        startNext(next, count, operation, recorder, errors, done);
      }, MoreExecutors.directExecutor());
      return;
    }
  }

  private static void record(ListenableFuture<?> future, long start, Recorder recorder, AtomicLong errors) {
    try {
      future.get();
      recorder.recordValue(System.nanoTime() - start);
    } catch (ExecutionException e) {
      errors.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
