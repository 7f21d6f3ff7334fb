package dev.taskcert.server.xcom;

/**
 * The positions a {@code GetXComSlice} selects among {@code count} mapped values: {@code start},
 * {@code start + step}, ... below {@code stop}. Computed in 64-bit arithmetic from the request's
 * 32-bit fields, so no combination of start, stop and step can overflow into a negative count
 * that slips past the per-call limit.
 *
 * @param start first position, in {@code [0, count]}
 * @param stop end position (exclusive), in {@code [0, count]}
 * @param step distance between positions, at least 1
 */
record SliceWindow(long start, long stop, long step) {

  /**
   * The window of a request; negative {@code start} and {@code stop} count from the end, and both
   * are clamped to the values that exist.
   *
   * @param step the request's step, at least 1
   */
  static SliceWindow of(int start, int stop, boolean hasStop, int step, int count) {
    if (step < 1) {
      throw new IllegalArgumentException("step must be positive");
    }
    long first = clamp(start, count);
    long end = hasStop ? clamp(stop, count) : count;
    return new SliceWindow(first, end, step);
  }

  /** How many positions the window selects: ceil((stop - start) / step), or 0. */
  long selected() {
    return stop <= start ? 0 : (stop - start + step - 1) / step;
  }

  private static long clamp(int index, int count) {
    long position = index < 0 ? (long) count + index : index;
    return Math.max(0, Math.min(position, count));
  }
}
