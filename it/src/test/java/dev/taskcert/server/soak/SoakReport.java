package dev.taskcert.server.soak;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a soak run observed, for the test to judge.
 *
 * @param ledger what became of every call
 * @param faults how many faults of each kind were injected
 * @param survivors the supervisors that ran to the end without a fault, with their renewals
 * @param enrollments tries enrolled, replacements included
 * @param renewals certificate renewals all supervisors saw
 * @param beforeStart resources before the first supervisor started
 * @param samples resources while supervisors called, every sample interval
 * @param afterClose resources once every supervisor was closed and had let go of its resources
 * @param elapsed how long the supervisors called
 */
record SoakReport(
    CallLedger ledger,
    Map<Fault, Integer> faults,
    List<Survivor> survivors,
    long enrollments,
    long renewals,
    ResourceSample beforeStart,
    List<ResourceSample> samples,
    ResourceSample afterClose,
    Duration elapsed) {

  /** A supervisor that ran to the end of the soak without a fault. */
  record Survivor(String supervisor, Duration age, int renewals) {}
}
