package dev.taskcert.server.xcom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SliceWindowTest {

  /** The positions a window selects, in the order it selects them. */
  private static List<Long> positions(SliceWindow window) {
    List<Long> positions = new ArrayList<>();
    for (long i = 0; i < window.selected(); i++) {
      positions.add(window.start() + i * window.step());
    }
    return positions;
  }

  private static List<Long> slice(Integer start, Integer stop, int step, long count) {
    return positions(SliceWindow.of(start, stop, step, count));
  }

  @Test
  void matchesPythonSlicesOfFiveValues() {
    // Each expectation is what Python's list(range(5))[start:stop:step] gives.
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), slice(null, null, 1, 5));
    assertEquals(List.of(4L, 3L, 2L, 1L, 0L), slice(null, null, -1, 5));
    assertEquals(List.of(4L, 2L, 0L), slice(null, null, -2, 5));
    assertEquals(List.of(3L, 4L), slice(-2, null, 1, 5));
    assertEquals(List.of(0L, 1L, 2L), slice(null, -2, 1, 5));
    assertEquals(List.of(4L), slice(null, -2, -1, 5));
    assertEquals(List.of(3L, 1L), slice(3, 0, -2, 5));
    assertEquals(List.of(4L, 3L, 2L, 1L, 0L), slice(10, -10, -1, 5));
    assertEquals(List.of(2L, 1L, 0L), slice(2, null, -1, 5));
    assertEquals(List.of(1L, 3L), slice(1, 4, 2, 5));
    assertEquals(List.of(), slice(1, 3, -1, 5));
    assertEquals(List.of(), slice(3, 1, 1, 5));
    assertEquals(List.of(), slice(null, null, -1, 0));
    assertEquals(List.of(), slice(0, 0, 1, 5));
  }

  @Test
  void lowestAndHighestBoundTheSelectionInEitherDirection() {
    SliceWindow backwards = SliceWindow.of(3, 0, -2, 5);
    assertEquals(1, backwards.lowest());
    assertEquals(3, backwards.highest());
    SliceWindow forwards = SliceWindow.of(1, null, 3, 9);
    assertEquals(1, forwards.lowest());
    assertEquals(7, forwards.highest());
  }

  @Test
  void aHugeStepSelectsOnlyTheFirstPosition() {
    SliceWindow window = SliceWindow.of(null, null, Integer.MAX_VALUE, 2000);
    assertEquals(new SliceWindow(0, 2000, Integer.MAX_VALUE), window);
    assertEquals(1, window.selected(), "32-bit arithmetic made this negative, which passed the limit check");
    assertEquals(List.of(1999L), slice(null, null, Integer.MIN_VALUE, 2000));
  }

  @Test
  void extremeStartAndStopAreClampedWithoutOverflow() {
    assertEquals(new SliceWindow(0, 5000, 1), SliceWindow.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 1, 5000));
    assertEquals(5000, SliceWindow.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 1, 5000).selected());
    assertEquals(1, SliceWindow.of(Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 5000).selected());
    assertEquals(0, SliceWindow.of(Integer.MAX_VALUE, Integer.MIN_VALUE, 1, 5000).selected());
    assertEquals(new SliceWindow(4999, -1, -1), SliceWindow.of(Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 5000));
    assertEquals(5000, SliceWindow.of(Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 5000).selected());
    assertEquals(1, SliceWindow.of(Integer.MAX_VALUE - 1, null, Integer.MAX_VALUE - 1, Integer.MAX_VALUE).selected());
    assertEquals(2, SliceWindow.of(null, null, Integer.MAX_VALUE - 1, Integer.MAX_VALUE).selected());
  }

  @Test
  void selectsCeilOfTheSpanOverTheStep() {
    assertEquals(2, SliceWindow.of(1, 4, 2, 5).selected());
    assertEquals(2, SliceWindow.of(-2, null, 1, 5).selected());
    assertEquals(0, SliceWindow.of(3, 3, 1, 5).selected());
    assertEquals(0, SliceWindow.of(null, null, 1, 0).selected());
    assertEquals(1000, SliceWindow.of(null, null, 2, 2000).selected());
    assertEquals(1001, SliceWindow.of(null, null, 2, 2001).selected());
    assertEquals(1001, SliceWindow.of(null, null, -2, 2001).selected());
  }

  @Test
  void theSelectionStaysWithinTheValuesForAnyBoundsAndStep() {
    int[] steps = {1, 2, 3, 999, 1000, 1001, 1 << 30, Integer.MAX_VALUE - 1, Integer.MAX_VALUE,
        -1, -2, -1000, Integer.MIN_VALUE + 1, Integer.MIN_VALUE};
    Integer[] bounds = {null, Integer.MIN_VALUE, -1, 0, 1, 999, 1000, 1001, Integer.MAX_VALUE};
    long count = 100_000;
    for (int step : steps) {
      for (Integer start : bounds) {
        for (Integer stop : bounds) {
          SliceWindow window = SliceWindow.of(start, stop, step, count);
          long selected = window.selected();
          String slice = start + ":" + stop + ":" + step + " selects " + selected;
          assertTrue(selected >= 0 && selected <= count, slice);
          if (selected > 0) {
            assertTrue(window.lowest() >= 0 && window.highest() < count && window.lowest() <= window.highest(), slice);
          }
        }
      }
    }
  }
}
