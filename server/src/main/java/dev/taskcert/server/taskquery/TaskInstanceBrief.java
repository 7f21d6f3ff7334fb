package dev.taskcert.server.taskquery;

import java.time.Instant;

/** One task instance as another task reads it. */
public record TaskInstanceBrief(
    String dagId,
    String runId,
    String taskId,
    int mapIndex,
    Instant logicalDate,
    Instant startDate,
    Instant endDate,
    String state,
    int tryNumber) {}
