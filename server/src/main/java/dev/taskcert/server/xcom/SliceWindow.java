package dev.taskcert.server.xcom;

/**
 * The positions a {@code GetXComSlice} selects among {@code count} values in map-index order:
 * Python's {@code values[start:stop:step]}, that is {@code start}, {@code start + step}, ... up to
 * but excluding {@code stop}, walking backwards when {@code step} is negative. Computed in 64-bit
 * arithmetic from the request's 32-bit fields, so no combination of start, stop and step (not even
 * a step of {@code Integer.MIN_VALUE}) can overflow into a count that slips past the per-call limit.
 *
 * @param start first position; in {@code [0, count]} for a positive step, {@code [-1, count - 1]}
 *     for a negative one (as Python's {@code slice.indices})
 * @param stop end position (exclusive), in the same range as {@code start}
 * @param step distance between positions, never 0
 */
record SliceWindow(long start, long stop, long step) {

  /**
   * The window of a request, as Python resolves a slice over {@code count} values: negative bounds
   * count from the end, bounds beyond either end are clamped, and an unset ({@code null}) bound is
   * the start or the end of the sequence in the direction of {@code step}.
   *
   * @param step the request's step, not 0
   */
  static SliceWindow of(Integer start, Integer stop, int step, long count) {
    if (step == 0) {
      throw new IllegalArgumentException("step must not be 0");
    }
    long lower = step > 0 ? 0 : -1;
    long upper = step > 0 ? count : count - 1;
    long first = start == null ? (step > 0 ? lower : upper) : clamp(start, count, lower, upper);
    long end = stop == null ? (step > 0 ? upper : lower) : clamp(stop, count, lower, upper);
    return new SliceWindow(first, end, step);
  }

  /** How many positions the window selects: ceil(|stop - start| / |step|) in the step's direction, or 0. */
  long selected() {
    if (step > 0) {
      return stop <= start ? 0 : (stop - start + step - 1) / step;
    }
    long back = -step;
    return start <= stop ? 0 : (start - stop + back - 1) / back;
  }

  /** The lowest position selected (only meaningful when {@link #selected()} is positive). */
  long lowest() {
    return step > 0 ? start : start + (selected() - 1) * step;
  }

  /** The highest position selected (only meaningful when {@link #selected()} is positive). */
  long highest() {
    return step > 0 ? start + (selected() - 1) * step : start;
  }

  private static long clamp(int index, long count, long lower, long upper) {
    long position = index < 0 ? count + index : index;
    return Math.max(lower, Math.min(position, upper));
  }
}
