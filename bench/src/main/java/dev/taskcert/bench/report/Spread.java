package dev.taskcert.bench.report;

import java.util.Arrays;
import java.util.Locale;

/** The middle and the range of repeated measurements, so a report shows a spread rather than one draw. */
public final class Spread {
  private Spread() {}

  /** The median of {@code values}; NaN when there are none or any is not a number. */
  public static double median(double[] values) {
    if (values.length == 0 || Arrays.stream(values).anyMatch(Double::isNaN)) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  /** "lowest to highest: a to b", each formatted with {@code format}. */
  public static String range(double[] values, String format) {
    if (values.length == 0) {
      return "no runs";
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return "lowest to highest: " + String.format(Locale.ROOT, format, sorted[0]) + " to "
        + String.format(Locale.ROOT, format, sorted[sorted.length - 1]);
  }
}
