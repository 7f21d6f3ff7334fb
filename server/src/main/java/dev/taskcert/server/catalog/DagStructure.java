package dev.taskcert.server.catalog;

import dev.taskcert.server.refusal.Refusal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A DAG's declared structure: its tasks and their direct downstream tasks, validated to be a
 * bounded, acyclic graph over the declared tasks only. {@link #NONE} (no tasks) means the DAG
 * declares no structure.
 */
public record DagStructure(List<DeclaredTask> tasks) {
  /** Most tasks one DAG may declare. */
  public static final int MAX_TASKS = 10_000;
  /** Most downstream edges one DAG may declare, over all its tasks. */
  public static final int MAX_EDGES = 100_000;
  /** No declared structure. */
  public static final DagStructure NONE = new DagStructure(List.of());

  public DagStructure {
    tasks = List.copyOf(tasks);
  }

  /**
   * Validates a declaration: task ids 1 to 250 bytes without NUL and unique; every downstream id a
   * declared task other than itself; within the size bounds; no cycle (a task downstream of itself
   * would let it skip its own upstream tasks).
   *
   * @throws Refusal an invalid request naming the problem
   */
  public static DagStructure of(List<DeclaredTask> tasks) {
    if (tasks.size() > MAX_TASKS) {
      throw Refusal.invalid("tasks declares " + tasks.size() + " tasks; at most " + MAX_TASKS);
    }
    Map<String, Set<String>> downstream = new HashMap<>();
    long edges = 0;
    for (DeclaredTask task : tasks) {
      requireTaskId(task.taskId(), "tasks.task_id");
      if (downstream.put(task.taskId(), new LinkedHashSet<>()) != null) {
        throw Refusal.invalid("task '" + task.taskId() + "' is declared twice");
      }
      edges += task.downstreamTaskIds().size();
    }
    if (edges > MAX_EDGES) {
      throw Refusal.invalid("tasks declares " + edges + " downstream edges; at most " + MAX_EDGES);
    }
    for (DeclaredTask task : tasks) {
      for (String next : task.downstreamTaskIds()) {
        requireTaskId(next, "tasks.downstream_task_ids");
        if (!downstream.containsKey(next)) {
          throw Refusal.invalid("task '" + task.taskId() + "' names downstream task '" + next + "', which is not declared");
        }
        if (next.equals(task.taskId())) {
          throw Refusal.invalid("task '" + next + "' cannot be downstream of itself");
        }
        downstream.get(task.taskId()).add(next);
      }
    }
    requireAcyclic(downstream);
    return new DagStructure(tasks.stream()
        .map(task -> new DeclaredTask(task.taskId(), List.copyOf(downstream.get(task.taskId()))))
        .toList());
  }

  /** Whether this declares a structure at all. */
  public boolean declared() {
    return !tasks.isEmpty();
  }

  private static void requireTaskId(String taskId, String field) {
    if (taskId.isEmpty() || taskId.getBytes(StandardCharsets.UTF_8).length > 250 || taskId.indexOf('\0') >= 0) {
      throw Refusal.invalid(field + " must be 1 to 250 bytes without NUL");
    }
  }

  /** Kahn's algorithm: if some task never reaches in-degree 0, the graph has a cycle. */
  private static void requireAcyclic(Map<String, Set<String>> downstream) {
    Map<String, Integer> inDegree = new HashMap<>();
    downstream.keySet().forEach(task -> inDegree.put(task, 0));
    downstream.values().forEach(next -> next.forEach(task -> inDegree.merge(task, 1, Integer::sum)));
    ArrayDeque<String> ready = new ArrayDeque<>();
    inDegree.forEach((task, degree) -> {
      if (degree == 0) {
        ready.add(task);
      }
    });
    int visited = 0;
    while (!ready.isEmpty()) {
      String task = ready.poll();
      visited++;
      for (String next : downstream.get(task)) {
        if (inDegree.merge(next, -1, Integer::sum) == 0) {
          ready.add(next);
        }
      }
    }
    if (visited < downstream.size()) {
      throw Refusal.invalid("the declared tasks form a cycle; a DAG's structure must be acyclic");
    }
  }
}
