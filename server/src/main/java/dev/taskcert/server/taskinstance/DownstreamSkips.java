package dev.taskcert.server.taskinstance;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.catalog.DagStructureMapper;
import dev.taskcert.server.refusal.Refusal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.ibatis.session.SqlSession;

/**
 * What a SkipDownstream call may skip, inside the transaction that holds the caller's try lock.
 * When the caller's DAG declares its structure, only tasks transitively downstream of the caller
 * are accepted, and a SKIPPED task instance may be created for such a declared task that has none
 * yet. When it declares none, nothing says which tasks exist or which are downstream, so only
 * task instances that already exist in the caller's dag run are skipped, and no row is ever
 * created for a task id the request merely names. Either way, as Airflow, a task instance that is
 * RUNNING, SUCCESS or FAILED keeps its state.
 */
final class DownstreamSkips {
  private final SqlSession session;

  DownstreamSkips(SqlSession session) {
    this.session = session;
  }

  /**
   * Skips {@code taskIds} (every map index) and {@code pairs} (one map index each), never the
   * caller's own task, in dag run {@code dagRunId}, the caller's; as Airflow, a task instance that
   * is RUNNING, SUCCESS or FAILED is left as it is. Returns how many task instances became SKIPPED.
   *
   * @throws Refusal an invalid request, changing nothing, when the DAG declares its structure and a
   *     named task is not downstream of the caller
   */
  int skip(TaskIdentity caller, long dagRunId, Set<String> taskIds, Set<SkippedTaskRef> pairs) {
    DagStructureMapper structure = session.getMapper(DagStructureMapper.class);
    SkipMapper skips = session.getMapper(SkipMapper.class);
    List<String> ids = List.copyOf(taskIds);
    List<SkippedTaskRef> refs = List.copyOf(pairs);
    if (!structure.declaresStructure(caller.dagId())) {
      return skips.skip(dagRunId, ids, refs);
    }
    Set<String> downstream = new HashSet<>(structure.downstreamOf(caller.dagId(), caller.taskId()));
    List<String> named = new ArrayList<>(ids);
    refs.forEach(ref -> named.add(ref.taskId()));
    for (String taskId : named) {
      if (!downstream.contains(taskId)) {
        throw Refusal.invalid("task '" + taskId + "' is not downstream of '" + caller.taskId()
            + "' in the declared structure of DAG '" + caller.dagId() + "'");
      }
    }
    int skipped = skips.skip(dagRunId, ids, refs);
    if (!ids.isEmpty()) {
      skipped += session.getMapper(TaskInstanceMapper.class).insertSkipped(dagRunId, ids);
    }
    if (!refs.isEmpty()) {
      skipped += skips.insertSkipped(dagRunId, refs);
    }
    return skipped;
  }
}
