package dev.taskcert.server.catalog;

import java.util.List;

/** One task of a DAG's declared structure and the tasks directly downstream of it. */
public record DeclaredTask(String taskId, List<String> downstreamTaskIds) {

  public DeclaredTask {
    downstreamTaskIds = List.copyOf(downstreamTaskIds);
  }
}
