package dev.taskcert.bench.report;

import java.util.Locale;

/**
 * A target of the benchmark issue and whether this run met it. Built through the factories, a
 * target whose measurement is missing, zero or not a number is missed and says so: it never
 * reads as met because a baseline came out as nothing.
 *
 * @param target what was required
 * @param measured what this run measured (a ratio or a value)
 * @param met whether the requirement holds
 * @param note where the number comes from, or what bounds it
 */
public record TargetCheck(String target, String measured, boolean met, String note) {
  /** What {@link #measured} says for a value that was not measured. */
  public static final String NOT_MEASURED = "not measured";

  /**
   * {@code value >= bound}, shown with {@code format} (a {@link String#format} pattern for the
   * value); missed when the value is not a positive finite number.
   */
  public static TargetCheck atLeast(String target, double value, double bound, String format, String note) {
    if (!measuredValue(value)) {
      return notMeasured(target, note);
    }
    return new TargetCheck(target, String.format(Locale.ROOT, format, value), value >= bound, note);
  }

  /**
   * {@code numerator / denominator >= bound}, shown as a ratio; missed when either side is not a
   * positive finite number (a baseline that measured nothing makes no ratio).
   */
  public static TargetCheck ratioAtLeast(String target, double numerator, double denominator, double bound,
      String note) {
    if (!measuredValue(numerator) || !measuredValue(denominator)) {
      return notMeasured(target, note);
    }
    double ratio = numerator / denominator;
    return new TargetCheck(target, String.format(Locale.ROOT, "%.2fx", ratio), ratio >= bound, note);
  }

  /** A target this run has no measurement for: missed. */
  public static TargetCheck notMeasured(String target, String note) {
    return new TargetCheck(target, NOT_MEASURED, false, note);
  }

  /** The same check with {@code condition} also required, and why it failed added to the note. */
  public TargetCheck and(boolean condition, String otherwise) {
    return condition ? this : new TargetCheck(target, measured, false, note + "; " + otherwise);
  }

  /** Whether {@code value} is a measurement: a finite number above zero. */
  public static boolean measuredValue(double value) {
    return value > 0 && Double.isFinite(value);
  }
}
