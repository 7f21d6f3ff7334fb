package dev.taskcert.server.taskinstance;

/** One task instance a SkipDownstream call names by task id and map index. */
public record SkippedTaskRef(String taskId, int mapIndex) {}
