package dev.taskcert.server.catalog;

import java.time.Instant;

/** One dag run as stored. */
public record DagRunRow(
    String dagId,
    String runId,
    Instant logicalDate,
    Instant dataIntervalStart,
    Instant dataIntervalEnd,
    String runType,
    String confJson,
    String state) {}
