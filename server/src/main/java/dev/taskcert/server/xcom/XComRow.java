package dev.taskcert.server.xcom;

/** One stored XCom value (JSON text) and where it came from. */
public record XComRow(String dagId, String runId, String taskId, int mapIndex, String key, String value) {}
