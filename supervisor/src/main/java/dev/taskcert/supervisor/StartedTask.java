package dev.taskcert.supervisor;

/** What the server tells a task when it starts. */
public record StartedTask(String dagId, String runId, int tryNumber, int maxTries) {}
