package dev.taskcert.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A target is met only by a measurement: nothing measured never reads as a pass. */
class TargetCheckTest {
  @Test
  void aMeasuredRatioIsJudgedAgainstItsBound() {
    TargetCheck met = TargetCheck.ratioAtLeast("t", 900, 1000, 0.8, "n");
    assertTrue(met.met());
    assertEquals("0.90x", met.measured());
    assertFalse(TargetCheck.ratioAtLeast("t", 700, 1000, 0.8, "n").met());
  }

  @Test
  void aBaselineThatMeasuredNothingFailsTheRatio() {
    for (double baseline : new double[] {0, Double.NaN, Double.POSITIVE_INFINITY, -1}) {
      TargetCheck check = TargetCheck.ratioAtLeast("t", 900, baseline, 0.8, "n");
      assertFalse(check.met(), "baseline " + baseline);
      assertEquals(TargetCheck.NOT_MEASURED, check.measured());
    }
    assertFalse(TargetCheck.ratioAtLeast("t", 0, 1000, 0.0, "n").met(), "a zero numerator is not a measurement");
  }

  @Test
  void aMissingValueFailsAnAbsoluteTarget() {
    assertFalse(TargetCheck.atLeast("t", Double.NaN, 0, "%.0f/s", "n").met());
    assertFalse(TargetCheck.atLeast("t", 0, 0, "%.0f/s", "n").met());
    TargetCheck met = TargetCheck.atLeast("t", 2300, 2200, "%.0f/s", "n");
    assertTrue(met.met());
    assertEquals("2300/s", met.measured());
  }

  @Test
  void anExtraConditionCanOnlyFailACheck() {
    TargetCheck met = TargetCheck.atLeast("t", 2300, 2200, "%.0f/s", "n");
    assertTrue(met.and(true, "x").met());
    TargetCheck failed = met.and(false, "3 sessions were resumed");
    assertFalse(failed.met());
    assertTrue(failed.note().endsWith("3 sessions were resumed"));
    assertFalse(TargetCheck.notMeasured("t", "n").and(true, "x").met());
  }

  @Test
  void theSpreadOfRepeatedRunsHasAMedianAndARange() {
    assertEquals(0.95, Spread.median(new double[] {1.0, 0.9, 0.95}), 1e-9);
    assertEquals(0.925, Spread.median(new double[] {1.0, 0.9, 0.95, 0.8}), 1e-9);
    assertTrue(Double.isNaN(Spread.median(new double[] {1.0, Double.NaN})));
    assertEquals("lowest to highest: 0.80x to 1.00x", Spread.range(new double[] {1.0, 0.8, 0.9}, "%.2fx"));
  }
}
