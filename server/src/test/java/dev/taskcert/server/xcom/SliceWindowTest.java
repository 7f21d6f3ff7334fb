package dev.taskcert.server.xcom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SliceWindowTest {

  @Test
  void aHugeStepSelectsOnlyTheFirstPosition() {
    SliceWindow window = SliceWindow.of(0, 0, false, Integer.MAX_VALUE, 2000);
    assertEquals(new SliceWindow(0, 2000, Integer.MAX_VALUE), window);
    assertEquals(1, window.selected(), "32-bit arithmetic made this negative, which passed the limit check");
  }

  @Test
  void extremeStartAndStopAreClampedWithoutOverflow() {
    assertEquals(new SliceWindow(0, 5000, 1), SliceWindow.of(Integer.MIN_VALUE, Integer.MAX_VALUE, true, 1, 5000));
    assertEquals(5000, SliceWindow.of(Integer.MIN_VALUE, Integer.MAX_VALUE, true, 1, 5000).selected());
    assertEquals(1, SliceWindow.of(Integer.MIN_VALUE, Integer.MAX_VALUE, true, Integer.MAX_VALUE, 5000).selected());
    assertEquals(0, SliceWindow.of(Integer.MAX_VALUE, Integer.MIN_VALUE, true, 1, 5000).selected());
    assertEquals(1, SliceWindow.of(Integer.MAX_VALUE - 1, 0, false, Integer.MAX_VALUE - 1, Integer.MAX_VALUE).selected());
    assertEquals(2, SliceWindow.of(0, 0, false, Integer.MAX_VALUE - 1, Integer.MAX_VALUE).selected());
  }

  @Test
  void selectsCeilOfTheSpanOverTheStep() {
    assertEquals(2, SliceWindow.of(1, 4, true, 2, 5).selected());
    assertEquals(2, SliceWindow.of(-2, 0, false, 1, 5).selected());
    assertEquals(0, SliceWindow.of(3, 3, true, 1, 5).selected());
    assertEquals(0, SliceWindow.of(0, 0, false, 1, 0).selected());
    assertEquals(1000, SliceWindow.of(0, 0, false, 2, 2000).selected());
    assertEquals(1001, SliceWindow.of(0, 0, false, 2, 2001).selected());
  }

  @Test
  void theSelectionNeverExceedsTheSpanForAnyStep() {
    int[] steps = {1, 2, 3, 999, 1000, 1001, 1 << 30, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
    int[] bounds = {Integer.MIN_VALUE, -1, 0, 1, 999, 1000, 1001, Integer.MAX_VALUE};
    for (int step : steps) {
      for (int start : bounds) {
        for (int stop : bounds) {
          SliceWindow window = SliceWindow.of(start, stop, true, step, 100_000);
          long selected = window.selected();
          assertTrue(selected >= 0 && selected <= Math.max(0, window.stop() - window.start()),
              start + ":" + stop + ":" + step + " selects " + selected);
        }
      }
    }
  }
}
