package dev.taskcert.supervisor.client;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.FreePorts;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.channel.ClientTls;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every method of {@link ExecutionClient} against a real server: the typed result on the allow
 * path, and the {@link TaskcertException} subclass each kind of refusal turns into.
 */
class ExecutionClientTest {
  private static final String DAG = "client_dag";
  private static final String OLDER_RUN = "scheduled__2026-11-24T00:00:00+00:00";
  private static final String RUN = "scheduled__2026-11-25T00:00:00+00:00";
  private static final Instant LOGICAL_DATE = Instant.parse("2026-11-25T00:00:00Z");
  private static final String HOST = "worker-7";
  private static final int PID = 31337;

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @BeforeAll
  static void start() throws Exception {
    var admin = env.admin();
    admin.registerDag(RegisterDagRequest.newBuilder().setDagId(DAG).setBundle("analytics-dags").build());
    admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId(DAG).setRunId(OLDER_RUN)
        .setLogicalDate(timestamp(LOGICAL_DATE.minus(Duration.ofDays(1)))).setRunType("scheduled").build());
    admin.setDagRunState(SetDagRunStateRequest.newBuilder().setDagId(DAG).setRunId(OLDER_RUN).setState("success").build());
    admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId(DAG).setRunId(RUN)
        .setLogicalDate(timestamp(LOGICAL_DATE))
        .setDataIntervalStart(timestamp(LOGICAL_DATE.minus(Duration.ofDays(1))))
        .setDataIntervalEnd(timestamp(LOGICAL_DATE))
        .setRunType("scheduled")
        .setConfJson("{\"source\": \"client-test\"}").build());
    admin.setConnection(AdminSetConnectionRequest.newBuilder().setConnId("client_warehouse").setTeam("analytics")
        .setConnType("postgres").setHost("db.analytics").setSchema("events").setLogin("etl")
        .setPassword("s3cret-client").setPort(5432).setExtraJson("{\"sslmode\": \"require\"}").build());
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  /** Queues a try of {@code taskId} and opens its session, without starting it. */
  private static TaskSession enrolled(String runId, String taskId, int mapIndex) throws Exception {
    QueuedTry queued = env.dev().taskQueue().queue(DAG, runId, taskId, mapIndex, 2, null);
    return TaskSession.open(env.supervisorConfig(), queued.enrollmentToken(), new SecureRandom());
  }

  /** Queues, enrolls and starts a try of {@code taskId} in the newer run. */
  private static TaskSession started(String taskId) throws Exception {
    TaskSession session = enrolled(RUN, taskId, -1);
    session.client().startTask(HOST, PID, "airflow");
    return session;
  }

  private static String stateOf(String runId, String taskId) throws SQLException {
    for (String state : List.of("QUEUED", "RUNNING", "SUCCESS", "FAILED", "SKIPPED", "DEFERRED", "UP_FOR_RESCHEDULE")) {
      if (env.count("select count(*) from task_instance ti join dag_run r on r.id = ti.dag_run_id where r.dag_id = '"
          + DAG + "' and r.run_id = '" + runId + "' and ti.task_id = '" + taskId + "' and ti.state = '" + state + "'") == 1) {
        return state;
      }
    }
    return "unknown";
  }

  // --- task-instance lifecycle -------------------------------------------------------------

  @Test
  void startTaskReturnsTheDagRunAndTheTryNumbers() throws Exception {
    try (TaskSession session = enrolled(RUN, "starter", -1)) {
      StartedTask started = session.client().startTask(HOST, PID, "airflow");
      assertEquals(DAG, started.dagId());
      assertEquals(RUN, started.runId());
      assertEquals(1, started.tryNumber());
      assertEquals(2, started.maxTries());
      assertEquals(List.of(), started.xcomKeysToClear());
      DagRun run = started.dagRun();
      assertEquals(Optional.of(LOGICAL_DATE), run.logicalDate());
      assertEquals(Optional.of(LOGICAL_DATE.minus(Duration.ofDays(1))), run.dataIntervalStart());
      assertEquals(Optional.of(LOGICAL_DATE), run.dataIntervalEnd());
      assertEquals("scheduled", run.runType());
      assertEquals("{\"source\": \"client-test\"}", run.confJson());
      assertEquals("RUNNING", stateOf(RUN, "starter"));
      // Repeating it (a retry after a lost answer) gives the same answer.
      assertEquals(started, session.client().startTask(HOST, PID, "airflow"));
    }
  }

  @Test
  void heartbeatRecordsTheTryAlive() throws Exception {
    try (TaskSession session = started("beater")) {
      String lastHeartbeat = "select coalesce((extract(epoch from last_heartbeat_at) * 1000000)::bigint, 0) "
          + "from task_instance where task_id = 'beater'";
      long before = env.count(lastHeartbeat);
      session.client().heartbeat(HOST, PID);
      long after = env.count(lastHeartbeat);
      assertTrue(after > before, "last heartbeat " + before + " -> " + after);
    }
  }

  @Test
  void finishTaskEndsTheTryAndLaterCallsAreRefusedAsTaskNotLive() throws Exception {
    try (TaskSession session = started("finisher")) {
      session.client().finishTask(TerminalState.SUCCESS);
      session.client().finishTask(TerminalState.SUCCESS); // repeating the same state is harmless
      assertEquals("SUCCESS", stateOf(RUN, "finisher"));
      // Reads of variables stay open for the post-terminal grace (PostTerminalGraceTest); the rest is refused.
      TaskcertException e = refusedWithoutChange(env, TaskcertException.TaskNotLive.class,
          Status.Code.FAILED_PRECONDITION, () -> session.client().deleteXCom("any_key"));
      assertTrue(e.getMessage().contains("SUCCESS"), e.getMessage());
    }
  }

  @Test
  void deferTaskStoresTheTrigger() throws Exception {
    try (TaskSession session = started("deferrer")) {
      Instant timeout = Instant.parse("2026-11-26T00:00:00Z");
      session.client().deferTask(new Trigger("airflow.triggers.temporal.DateTimeTrigger",
          "{\"moment\": \"2026-11-25T12:00:00Z\"}", "execute_complete", "{}", Optional.of(timeout)));
      assertEquals("DEFERRED", stateOf(RUN, "deferrer"));
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'deferrer' "
          + "and trigger_classpath = 'airflow.triggers.temporal.DateTimeTrigger' and next_method = 'execute_complete' "
          + "and trigger_timeout = '2026-11-26T00:00:00Z'"));
    }
  }

  @Test
  void rescheduleTaskRecordsTheDate() throws Exception {
    try (TaskSession session = started("rescheduler")) {
      Instant when = env.clock.instant().plus(Duration.ofHours(1));
      session.client().rescheduleTask(when);
      assertEquals("UP_FOR_RESCHEDULE", stateOf(RUN, "rescheduler"));
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'rescheduler' "
          + "and reschedule_date is not null"));
    }
  }

  @Test
  void setRenderedFieldsStoresTheJson() throws Exception {
    try (TaskSession session = started("renderer")) {
      session.client().setRenderedFields("{\"sql\": \"select 1\"}");
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'renderer' "
          + "and rendered_fields ->> 'sql' = 'select 1'"));
    }
  }

  @Test
  void skipDownstreamReturnsHowManyTasksItSkipped() throws Exception {
    env.dev().taskQueue().queue(DAG, RUN, "skipped_queued", -1, 1, null);
    try (TaskSession session = started("skipper")) {
      assertEquals(1, session.client().skipDownstream(List.of("skipped_queued", "skipped_new")));
      assertEquals("SKIPPED", stateOf(RUN, "skipped_queued"));
      assertEquals(0, env.count("select count(*) from task_instance where task_id = 'skipped_new'"),
          "no task instance is created for a task its DAG does not declare");
    }
  }

  @Test
  void previousSuccessfulDagRunFindsTheOlderRunOrNothing() throws Exception {
    try (TaskSession session = started("looker")) {
      DagRun previous = session.client().previousSuccessfulDagRun().orElseThrow();
      assertEquals(DAG, previous.dagId());
      assertEquals(OLDER_RUN, previous.runId());
      assertEquals(Optional.of(LOGICAL_DATE.minus(Duration.ofDays(1))), previous.logicalDate());
    }
    try (TaskSession session = enrolled(OLDER_RUN, "first_looker", -1)) {
      session.client().startTask(HOST, PID, "airflow");
      assertEquals(Optional.empty(), session.client().previousSuccessfulDagRun());
    }
  }

  // --- variables ----------------------------------------------------------------------------

  @Test
  void variablesAreReadWrittenListedAndDeleted() throws Exception {
    try (TaskSession session = started("variable_user")) {
      ExecutionClient client = session.client();
      assertEquals(new Variable("analytics_bucket", "s3://analytics-raw-events", Optional.of("analytics")),
          client.getVariable("analytics_bucket"));
      assertEquals(new Variable(DemoData.GLOBAL_VARIABLE, "dev", Optional.empty()),
          client.getVariable(DemoData.GLOBAL_VARIABLE));

      client.setVariable("analytics_client_a", "1", "first");
      client.setVariable("analytics_client_b", "2", "");
      client.setVariable("analytics_client_a", "one", "replaced");
      assertEquals(new Variable("analytics_client_a", "one", Optional.of("analytics")),
          client.getVariable("analytics_client_a"));

      assertEquals(List.of("analytics_client_a", "analytics_client_b"), client.listVariableKeys("analytics_client_"));
      List<String> all = client.listVariableKeys("");
      assertTrue(all.containsAll(List.of("analytics_bucket", DemoData.GLOBAL_VARIABLE, "analytics_client_a")), all.toString());
      assertFalse(all.contains(DemoData.PAYMENTS.ownVariable()), all.toString());

      assertTrue(client.deleteVariable("analytics_client_a"));
      assertFalse(client.deleteVariable("analytics_client_a"));
      assertEquals(List.of("analytics_client_b"), client.listVariableKeys("analytics_client_"));
    }
  }

  // --- connections --------------------------------------------------------------------------

  @Test
  void getConnectionDecryptsThePasswordAndToStringHidesIt() throws Exception {
    try (TaskSession session = started("connection_user")) {
      Connection connection = session.client().getConnection("client_warehouse");
      assertEquals(new Connection("client_warehouse", "postgres", "db.analytics", "events", "etl", "s3cret-client",
          5432, connection.extraJson()), connection);
      assertTrue(connection.extraJson().contains("sslmode"), connection.extraJson());
      assertFalse(connection.toString().contains("s3cret-client"), connection.toString());
      assertTrue(connection.toString().contains("password=***"), connection.toString());
    }
  }

  // --- XComs --------------------------------------------------------------------------------

  @Test
  void xcomsAreSetReadAndDeleted() throws Exception {
    try (TaskSession producer = started("xcom_producer"); TaskSession consumer = started("xcom_consumer")) {
      producer.client().setXCom("return_value", "{\"rows\": 42}");
      producer.client().setXCom("empty_expansion", "[]", OptionalInt.of(0), true);
      assertEquals(1, env.count("select count(*) from xcom where task_id = 'xcom_producer'"
          + " and key = 'empty_expansion' and mapped_length = 0 and dag_result"));
      XComLocation location = XComLocation.inOwnRun("xcom_producer", "return_value");
      XCom read = consumer.client().getXCom(location);
      assertEquals(new XCom(new XComLocation(DAG, RUN, "xcom_producer", "return_value"), -1, "{\"rows\": 42}"), read);
      assertEquals(read, consumer.client().getXCom(new XComLocation(DAG, RUN, "xcom_producer", "return_value"), -1, true));

      assertTrue(producer.client().deleteXCom("return_value"));
      assertFalse(producer.client().deleteXCom("return_value"));
      assertThrows(TaskcertException.NotFound.class, () -> consumer.client().getXCom(location));
    }
  }

  @Test
  void mappedXComsAreReadByItemSliceAndCount() throws Exception {
    for (int index = 0; index < 4; index++) {
      QueuedTry queued = env.dev().taskQueue().queue(DAG, RUN, "mapped", index, 1, null);
      try (TestTask mapped = env.startTask(queued)) {
        mapped.session().client().setXCom("return_value", Integer.toString(index * 10), 4);
      }
    }
    try (TaskSession reader = started("mapped_reader")) {
      ExecutionClient client = reader.client();
      XComLocation mapped = XComLocation.inOwnRun("mapped", "return_value");
      XCom second = client.getXComItem(mapped, 1);
      assertEquals("10", second.valueJson());
      assertEquals(1, second.mapIndex());
      assertEquals("30", client.getXComItem(mapped, -1).valueJson());
      assertEquals("0", client.getXComItem(mapped, -4, true).valueJson());
      assertEquals(List.of("10", "30"), client.getXComSlice(mapped, 1, Optional.of(4), 2));
      assertEquals(List.of("20", "30"), client.getXComSlice(mapped, -2, Optional.empty(), 1));
      assertEquals(List.of("30", "20", "10", "0"),
          client.getXComSlice(mapped, OptionalInt.empty(), OptionalInt.empty(), -1, false));
      assertEquals(List.of("30", "10"), client.getXComSlice(mapped, OptionalInt.of(-1), OptionalInt.of(0), -2, true));
      assertEquals(new XComCount(4, List.of(0, 1, 2, 3)), client.getXComCount(mapped));
      assertEquals("20", client.getXCom(mapped, 2, false).valueJson());
    }
  }

  // --- failures -----------------------------------------------------------------------------

  @Test
  void refusalsAreThrownAsTheMatchingException() throws Exception {
    try (TaskSession session = started("refused")) {
      ExecutionClient client = session.client();
      TaskcertException denied = refusedWithoutChange(env, TaskcertException.PermissionDenied.class,
          Status.Code.PERMISSION_DENIED, () -> client.setVariable(DemoData.PAYMENTS.ownVariable(), "x", ""));
      assertTrue(denied.getMessage().contains("may not be written by team 'analytics'"), denied.getMessage());

      refusedWithoutChange(env, TaskcertException.NotFound.class, Status.Code.NOT_FOUND,
          () -> client.getVariable(DemoData.PAYMENTS.ownVariable()));

      refusedWithoutChange(env, TaskcertException.InvalidRequest.class, Status.Code.INVALID_ARGUMENT,
          () -> client.getVariable(""));

      refusedWithoutChange(env, TaskcertException.NotFound.class, Status.Code.NOT_FOUND,
          () -> client.getVariable("no_such_key"));

      client.finishTask(TerminalState.FAILED);
      refusedWithoutChange(env, TaskcertException.TaskNotLive.class, Status.Code.FAILED_PRECONDITION,
          () -> client.setVariable(DemoData.ANALYTICS.ownVariable(), "x", ""));
    }
  }

  @Test
  void anUnreachableServerIsThrownAsUnavailableAfterRetries() throws Exception {
    int unusedPort = FreePorts.next();
    try (TaskSession session = enrolled(RUN, "stranded", -1)) {
      ManagedChannel channel = ClientTls.mutualTlsChannel("localhost:" + unusedPort, session.credentials());
      try {
        ExecutionClient client = new ExecutionClient(channel, Duration.ofSeconds(2));
        TaskcertException e = assertThrows(TaskcertException.Unavailable.class,
            () -> client.getVariable(DemoData.GLOBAL_VARIABLE));
        assertEquals(Status.Code.UNAVAILABLE, e.code());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void startReturnsTheRunContextAndFinishingCarriesAirflowsDetails() throws Exception {
    try (TaskSession session = enrolled(RUN, "context_reader", -1)) {
      StartedTask started = session.client().startTask(HOST, PID, "airflow");
      assertEquals(2, started.maxTries());
      assertTrue(started.context().shouldRetry(), "try 1 of a task with 2 retries may retry");
      assertEquals(1, started.context().executionGeneration());
      assertEquals(0, started.context().taskRescheduleCount());
      assertEquals(Optional.empty(), started.context().nextMethod());
      assertEquals("running", started.context().runState());
      assertEquals(Optional.of(LOGICAL_DATE), started.context().runAfter());
      assertTrue(started.context().startDate().isPresent());
      session.client().retryTask(Duration.ofMinutes(5), "flaky upstream", "region=eu");
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'context_reader' and "
          + "state = 'UP_FOR_RETRY' and retry_delay_seconds = 300 and retry_reason = 'flaky upstream' "
          + "and rendered_map_index = 'region=eu'"));
    }
    try (TaskSession session = started("sealed_deferrer")) {
      session.client().deferTaskSealed("airflow.triggers.temporal.DateTimeTrigger", "gAAAAA-trigger", "execute_complete",
          "gAAAAA-next", Optional.empty(), "triggerer_b");
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'sealed_deferrer' and "
          + "state = 'DEFERRED' and trigger_kwargs #>> '{}' = 'gAAAAA-trigger' and next_kwargs #>> '{}' = 'gAAAAA-next' "
          + "and trigger_queue = 'triggerer_b'"));
    }
    try (TaskSession session = started("upstream_failed_client")) {
      session.client().finishTask(TerminalState.UPSTREAM_FAILED, "");
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'upstream_failed_client' and "
          + "state = 'UPSTREAM_FAILED'"));
    }
  }
}
