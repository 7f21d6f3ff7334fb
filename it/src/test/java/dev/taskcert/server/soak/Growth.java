package dev.taskcert.server.soak;

import java.time.Duration;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.function.ToLongFunction;

/**
 * How much one resource grew over a soak, judged on medians so that one noisy sample decides
 * nothing: the baseline is the median of the first samples after warm-up, the end state the
 * median of the last samples.
 *
 * @param resource what was measured
 * @param baseline median right after warm-up
 * @param end median at the end of the run
 * @param allowance how much more than the baseline the end may be
 * @param bytes whether the values are bytes (shown in MiB)
 */
record Growth(String resource, long baseline, long end, long allowance, boolean bytes) {

  /**
   * Measures {@code value} over {@code samples}.
   *
   * @param allowance the allowed growth, given the baseline
   */
  static Growth of(String resource, List<ResourceSample> samples, Duration warmUp,
      ToLongFunction<ResourceSample> value, LongUnaryOperator allowance, boolean bytes) {
    List<ResourceSample> measured = samples.stream().filter(sample -> sample.at().compareTo(warmUp) >= 0).toList();
    int window = SoakSettings.SAMPLES_PER_WINDOW;
    if (measured.size() < 2 * window) {
      throw new IllegalStateException("only " + measured.size() + " samples after warm-up; " + 2 * window + " needed");
    }
    long baseline = median(measured.subList(0, window), value);
    long end = median(measured.subList(measured.size() - window, measured.size()), value);
    return new Growth(resource, baseline, end, allowance.applyAsLong(baseline), bytes);
  }

  private static long median(List<ResourceSample> samples, ToLongFunction<ResourceSample> value) {
    long[] values = samples.stream().mapToLong(value).sorted().toArray();
    return values[values.length / 2];
  }

  boolean grew() {
    return end > baseline + allowance;
  }

  @Override
  public String toString() {
    return resource + ": " + format(baseline) + " after warm-up, " + format(end) + " at the end ("
        + (end >= baseline ? "+" : "-") + format(Math.abs(end - baseline)) + ", allowed +" + format(allowance) + ")";
  }

  private String format(long value) {
    return bytes ? ResourceSample.mib(value) : Long.toString(value);
  }
}
