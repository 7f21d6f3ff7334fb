package dev.taskcert.server.taskinstance;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.catalog.DagStructureMapper;
import dev.taskcert.server.refusal.Refusal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.ibatis.session.SqlSession;

/**
 * What a SkipDownstream call may skip, inside the transaction that holds the caller's try lock.
 * When the caller's DAG declares its structure, only tasks transitively downstream of the caller
 * are accepted, and a SKIPPED task instance may be created for such a declared task that has none
 * yet. When it declares none, nothing says which tasks exist or which are downstream, so only
 * task instances that already exist in the caller's dag run and are still QUEUED are skipped, and
 * no row is ever created for a task id the request merely names.
 */
final class DownstreamSkips {
  private final SqlSession session;

  DownstreamSkips(SqlSession session) {
    this.session = session;
  }

  /**
   * Skips {@code taskIds} (never the caller's own) in dag run {@code dagRunId}, the caller's;
   * returns how many task instances became SKIPPED.
   *
   * @throws Refusal an invalid request, changing nothing, when the DAG declares its structure and a
   *     named task is not downstream of the caller
   */
  int skip(TaskIdentity caller, long dagRunId, Set<String> taskIds) {
    DagStructureMapper structure = session.getMapper(DagStructureMapper.class);
    TaskInstanceMapper instances = session.getMapper(TaskInstanceMapper.class);
    List<String> ids = List.copyOf(taskIds);
    if (!structure.declaresStructure(caller.dagId())) {
      return instances.skipQueued(dagRunId, ids);
    }
    Set<String> downstream = new HashSet<>(structure.downstreamOf(caller.dagId(), caller.taskId()));
    for (String taskId : ids) {
      if (!downstream.contains(taskId)) {
        throw Refusal.invalid("task '" + taskId + "' is not downstream of '" + caller.taskId()
            + "' in the declared structure of DAG '" + caller.dagId() + "'");
      }
    }
    return instances.skipQueued(dagRunId, ids) + instances.insertSkipped(dagRunId, ids);
  }
}
