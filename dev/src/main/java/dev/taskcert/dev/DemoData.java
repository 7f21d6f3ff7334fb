package dev.taskcert.dev;

import dev.taskcert.server.catalog.Catalog;
import dev.taskcert.server.catalog.DagRegistration;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.enrollment.TaskQueue;
import dev.taskcert.server.variable.VariableMapper;
import java.time.Instant;
import java.util.List;

/**
 * The demo world of {@code dev} mode: two teams, one DAG each, a dag run, one task each, and a
 * variable per team plus a global one. Seeding is idempotent.
 */
public final class DemoData {
  /** A demo task and the variables it owns. */
  public record DemoTask(String team, String dagId, String taskId, String ownVariable) {}

  public static final String RUN_ID = "scheduled__2026-11-25T00:00:00+00:00";
  public static final String GLOBAL_VARIABLE = "platform_environment";
  public static final DemoTask ANALYTICS =
      new DemoTask("analytics", "analytics_daily", "extract_events", "analytics_bucket");
  public static final DemoTask PAYMENTS =
      new DemoTask("payments", "payments_reconcile", "settle_ledger", "payments_api_url");
  public static final List<DemoTask> TASKS = List.of(ANALYTICS, PAYMENTS);

  private DemoData() {}

  /** Creates the teams, bundles, DAGs, runs and variables if they are missing. */
  public static void seed(Catalog catalog, Transactions transactions) {
    for (DemoTask task : TASKS) {
      catalog.registerTeam(task.team());
      catalog.registerBundle(task.team() + "-dags", task.team());
      catalog.registerDag(new DagRegistration(task.dagId(), task.team() + "-dags", false, List.of(), List.of(), "TEAM"));
      catalog.createDagRun(task.dagId(), RUN_ID, Instant.parse("2026-11-25T00:00:00Z"), "scheduled");
    }
    transactions.withMapper(VariableMapper.class, variables -> {
      variables.upsert(ANALYTICS.ownVariable(), "s3://analytics-raw-events", "where analytics lands raw events", "analytics");
      variables.upsert(PAYMENTS.ownVariable(), "https://ledger.payments.example/api", "ledger API", "payments");
      variables.upsert(GLOBAL_VARIABLE, "dev", "shared by every team", null);
      return null;
    });
  }

  /** Queues a new try of each demo task and returns the enrollment tokens. */
  public static List<QueuedTry> queueTries(TaskQueue queue) {
    return TASKS.stream()
        .map(task -> queue.queue(task.dagId(), RUN_ID, task.taskId(), -1, 3, null))
        .toList();
  }
}
