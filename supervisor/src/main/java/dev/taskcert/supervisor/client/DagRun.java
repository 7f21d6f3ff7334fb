package dev.taskcert.supervisor.client;

import java.time.Instant;
import java.util.Optional;

/** A dag run as a task sees it. */
public record DagRun(
    String dagId,
    String runId,
    Optional<Instant> logicalDate,
    Optional<Instant> dataIntervalStart,
    Optional<Instant> dataIntervalEnd,
    String runType,
    String confJson) {}
