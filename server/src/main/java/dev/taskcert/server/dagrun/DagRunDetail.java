package dev.taskcert.server.dagrun;

import java.time.Instant;

/** One dag run as another task reads it. */
public record DagRunDetail(
    String dagId,
    String runId,
    Instant logicalDate,
    Instant dataIntervalStart,
    Instant dataIntervalEnd,
    Instant createdAt,
    Instant endDate,
    String runType,
    String state,
    String confJson) {}
