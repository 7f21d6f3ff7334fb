package dev.taskcert.bench.report;

import java.util.List;
import java.util.Map;

/**
 * Everything one run measured, as written to the JSON file.
 *
 * @param generatedAt when the run started (UTC, ISO-8601)
 * @param mode the settings' name (quick, full, smoke)
 * @param command how to reproduce the run
 * @param durationSeconds how long the run took
 * @param machine the machine it ran on
 * @param database the PostgreSQL server and the settings that matter for writes
 * @param targets the targets and whether they were met
 * @param sections the measurements
 */
public record BenchReport(
    String generatedAt,
    String mode,
    String command,
    double durationSeconds,
    MachineInfo machine,
    Map<String, String> database,
    List<TargetCheck> targets,
    List<Section> sections) {}
