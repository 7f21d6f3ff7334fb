package dev.taskcert.server.xcom;

/**
 * One XCom value to write, as a task's SetXCom asked for it.
 *
 * @param mappedLength the number of mapped tasks this value stands for, or {@code null}
 */
public record XComWrite(String dagId, String runId, String taskId, int mapIndex, String key, String value,
    Integer mappedLength, boolean dagResult) {

  /** Whether {@code other} writes the same XCom (the same row), so only the later of the two can stand. */
  boolean sameXCom(XComWrite other) {
    return dagId.equals(other.dagId) && runId.equals(other.runId) && taskId.equals(other.taskId)
        && mapIndex == other.mapIndex && key.equals(other.key);
  }
}
