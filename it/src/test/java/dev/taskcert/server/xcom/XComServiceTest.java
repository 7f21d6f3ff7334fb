package dev.taskcert.server.xcom;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static dev.taskcert.server.testing.Statuses.statusOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.XComReadScope;
import dev.taskcert.proto.execution.v1.DeleteXComRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetXComCountRequest;
import dev.taskcert.proto.execution.v1.GetXComItemRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.GetXComResponse;
import dev.taskcert.proto.execution.v1.GetXComSliceRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class XComServiceTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  private static XComRef ref(String taskId, String key) {
    return XComRef.newBuilder().setTaskId(taskId).setKey(key).build();
  }

  private static SetXComRequest set(String key, String json) {
    return SetXComRequest.newBuilder().setKey(key).setValueJson(json).build();
  }

  /** Queues and starts a try of {@code taskId} in the analytics demo run. */
  private static TestTask analyticsTask(String taskId, int mapIndex) throws Exception {
    QueuedTry queued = env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, mapIndex, 1, null);
    return env.startTask(queued);
  }

  @Test
  void writesOwnXComAndAnotherTaskOfTheTeamReadsIt() throws Exception {
    try (TestTask producer = analyticsTask("produce", -1); TestTask consumer = analyticsTask("consume", -1)) {
      producer.xcoms().setXCom(set("return_value", "{\"rows\": 42}"));
      GetXComResponse read = consumer.xcoms().getXCom(GetXComRequest.newBuilder().setRef(ref("produce", "return_value")).build());
      assertEquals("{\"rows\": 42}", read.getValueJson());
      assertEquals(DemoData.ANALYTICS.dagId(), read.getRef().getDagId());
      assertEquals(-1, read.getMapIndex());
    }
  }

  @Test
  void deleteTouchesOnlyTheCallersOwnXCom() throws Exception {
    try (TestTask producer = analyticsTask("keeper", -1); TestTask other = analyticsTask("intruder", -1)) {
      producer.xcoms().setXCom(set("shared_key", "1"));
      other.xcoms().setXCom(set("shared_key", "2"));
      assertTrue(other.xcoms().deleteXCom(DeleteXComRequest.newBuilder().setKey("shared_key").build()).getDeleted());
      assertFalse(other.xcoms().deleteXCom(DeleteXComRequest.newBuilder().setKey("shared_key").build()).getDeleted());
      assertEquals("1", other.xcoms().getXCom(GetXComRequest.newBuilder().setRef(ref("keeper", "shared_key")).build())
          .getValueJson());
    }
  }

  /** Another team's DAG is answered exactly as a DAG that is not registered; only the audit names the team. */
  @Test
  void refusesReadingAnotherTeamsXComsAsIfTheDagDidNotExist() throws Exception {
    try (TestTask payments = env.startTask(DemoData.PAYMENTS); TestTask analytics = analyticsTask("secret_producer", -1)) {
      analytics.xcoms().setXCom(set("k", "\"v\""));
      XComRef.Builder ref = XComRef.newBuilder().setRunId(DemoData.RUN_ID).setTaskId("secret_producer").setKey("k");
      Status hidden = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> payments.xcoms().getXCom(
          GetXComRequest.newBuilder().setRef(ref.clone().setDagId(DemoData.ANALYTICS.dagId())).build()));
      assertEquals("DAG '" + DemoData.ANALYTICS.dagId() + "' not found", hidden.getDescription());
      var audit = env.audit(1).get(0);
      assertEquals("deny", audit.kind());
      assertTrue(audit.detail().contains("team 'analytics'"), audit.detail());
      Status absent = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> payments.xcoms().getXCom(
          GetXComRequest.newBuilder().setRef(ref.clone().setDagId("no_such_dag")).build()));
      assertEquals("DAG 'no_such_dag' not found", absent.getDescription());
      Status counted = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> payments.xcoms().getXComCount(
          GetXComCountRequest.newBuilder().setRef(ref.clone().setDagId(DemoData.ANALYTICS.dagId())).build()));
      assertEquals(hidden.getDescription(), counted.getDescription());
    }
  }

  /** A SAME_DAG reader is refused another DAG by its own scope, whether or not that DAG exists. */
  @Test
  void sameDagScopeRefusesOtherDagsWithoutRevealingThem() throws Exception {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId("own_dag_only").setBundle("analytics-dags")
        .setXcomReadScope(XComReadScope.XCOM_READ_SCOPE_SAME_DAG).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("own_dag_only").setRunId("r").build());
    String token = env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId("own_dag_only").setRunId("r").setTaskId("t").setMapIndex(-1).build()).getEnrollmentToken();
    try (TestTask reader = env.startTaskWithToken(token)) {
      XComRef.Builder ref = XComRef.newBuilder().setRunId(DemoData.RUN_ID).setTaskId("x").setKey("k");
      Status existing = refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> reader.xcoms().getXCom(
          GetXComRequest.newBuilder().setRef(ref.clone().setDagId(DemoData.PAYMENTS.dagId())).build()));
      Status absent = refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> reader.xcoms().getXCom(
          GetXComRequest.newBuilder().setRef(ref.clone().setDagId("no_such_dag")).build()));
      assertEquals(existing.getDescription(), absent.getDescription());
    }
  }

  @Test
  void sameRunScopeRefusesOtherRunsOfTheSameDag() throws Exception {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId("narrow_dag").setBundle("analytics-dags")
        .setXcomReadScope(XComReadScope.XCOM_READ_SCOPE_SAME_RUN).build());
    for (String run : List.of("run_a", "run_b")) {
      env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("narrow_dag").setRunId(run).build());
    }
    String tokenA = env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId("narrow_dag").setRunId("run_a").setTaskId("t").setMapIndex(-1).build()).getEnrollmentToken();
    String tokenB = env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId("narrow_dag").setRunId("run_b").setTaskId("t").setMapIndex(-1).build()).getEnrollmentToken();
    try (TestTask a = env.startTaskWithToken(tokenA);
        TestTask b = env.startTaskWithToken(tokenB)) {
      a.xcoms().setXCom(set("k", "1"));
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> b.xcoms().getXCom(GetXComRequest.newBuilder()
          .setRef(XComRef.newBuilder().setRunId("run_a").setTaskId("t").setKey("k")).build()));
      b.xcoms().setXCom(set("k", "2"));
      assertEquals("2", b.xcoms().getXCom(GetXComRequest.newBuilder().setRef(ref("t", "k")).build()).getValueJson());
    }
  }

  /** include_prior_dates searches other runs only where the reader's scope reaches: never for SAME_RUN. */
  @Test
  void sameRunScopeIsNotBypassedWithIncludePriorDates() throws Exception {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId("narrow_prior").setBundle("analytics-dags")
        .setXcomReadScope(XComReadScope.XCOM_READ_SCOPE_SAME_RUN).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("narrow_prior").setRunId("early")
        .setLogicalDate(com.google.protobuf.Timestamp.newBuilder().setSeconds(1795000000L)).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("narrow_prior").setRunId("late")
        .setLogicalDate(com.google.protobuf.Timestamp.newBuilder().setSeconds(1795100000L)).build());
    try (TestTask early = env.startTaskWithToken(queue("narrow_prior", "early", "producer"))) {
      early.xcoms().setXCom(set("secret", "\"from the early run\""));
    }
    try (TestTask late = env.startTaskWithToken(queue("narrow_prior", "late", "consumer"))) {
      GetXComRequest prior = GetXComRequest.newBuilder().setRef(ref("producer", "secret")).setIncludePriorDates(true)
          .build();
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> late.xcoms().getXCom(prior));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> late.xcoms().getXCom(prior.toBuilder()
          .setRef(XComRef.newBuilder().setDagId("narrow_prior").setRunId("late").setTaskId("producer").setKey("secret"))
          .build()));
      try (TestTask lateProducer = env.startTaskWithToken(queue("narrow_prior", "late", "producer"))) {
        lateProducer.xcoms().setXCom(set("secret", "\"from its own run\""));
      }
      GetXComResponse own = late.xcoms().getXCom(prior);
      assertEquals("\"from its own run\"", own.getValueJson());
      assertEquals("late", own.getRef().getRunId());
    }
  }

  /** A SAME_DAG reader searching earlier runs finds values of its own DAG only. */
  @Test
  void sameDagScopeWithIncludePriorDatesReadsOnlyItsOwnDag() throws Exception {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId("dag_prior").setBundle("analytics-dags")
        .setXcomReadScope(XComReadScope.XCOM_READ_SCOPE_SAME_DAG).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("dag_prior").setRunId("early")
        .setLogicalDate(com.google.protobuf.Timestamp.newBuilder().setSeconds(1795000000L)).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("dag_prior").setRunId("late")
        .setLogicalDate(com.google.protobuf.Timestamp.newBuilder().setSeconds(1795100000L)).build());
    try (TestTask early = env.startTaskWithToken(queue("dag_prior", "early", "producer"))) {
      early.xcoms().setXCom(set("total", "7"));
    }
    try (TestTask late = env.startTaskWithToken(queue("dag_prior", "late", "consumer"))) {
      GetXComResponse prior = late.xcoms().getXCom(GetXComRequest.newBuilder().setRef(ref("producer", "total"))
          .setIncludePriorDates(true).build());
      assertEquals("7", prior.getValueJson());
      assertEquals("early", prior.getRef().getRunId());
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> late.xcoms().getXCom(GetXComRequest.newBuilder()
          .setRef(XComRef.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
              .setTaskId("daily_total").setKey("total"))
          .setIncludePriorDates(true).build()));
    }
  }

  private static String queue(String dagId, String runId, String taskId) {
    return queue(dagId, runId, taskId, -1);
  }

  private static String queue(String dagId, String runId, String taskId, int mapIndex) {
    return env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).setTaskId(taskId).setMapIndex(mapIndex).build()).getEnrollmentToken();
  }

  @Test
  void rejectsInvalidJsonOversizedValuesAndMissingKeys() throws Exception {
    try (TestTask task = analyticsTask("validator", -1)) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.xcoms().setXCom(set("k", "{not json")));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.xcoms().setXCom(set("k", "1 2")));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.xcoms().setXCom(set("", "1")));
      String huge = "\"" + "x".repeat(1024 * 1024) + "\"";
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.xcoms().setXCom(set("k", huge)));
      String deep = "[".repeat(100) + "]".repeat(100);
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.xcoms().setXCom(set("k", deep)));
      assertEquals(0, env.count("select count(*) from xcom where task_id = 'validator'"));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () ->
          task.xcoms().getXCom(GetXComRequest.newBuilder().setRef(ref("validator", "absent")).build()));
    }
  }

  @Test
  void readsItemsSlicesAndCountsOfAMappedTask() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (TestTask mapped = analyticsTask("mapped", i)) {
        mapped.xcoms().setXCom(set("return_value", Integer.toString(i * 10)));
      }
    }
    try (TestTask reader = analyticsTask("reader", -1)) {
      XComRef mapped = ref("mapped", "return_value");
      assertEquals("20", reader.xcoms().getXComItem(GetXComItemRequest.newBuilder().setRef(mapped).setOffset(2).build())
          .getValueJson());
      assertEquals("40", reader.xcoms().getXComItem(GetXComItemRequest.newBuilder().setRef(mapped).setOffset(-1).build())
          .getValueJson());
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () ->
          reader.xcoms().getXComItem(GetXComItemRequest.newBuilder().setRef(mapped).setOffset(5).build()));
      assertEquals(List.of("10", "30"), reader.xcoms().getXComSlice(GetXComSliceRequest.newBuilder()
          .setRef(mapped).setStart(1).setStop(4).setStep(2).build()).getValuesJsonList());
      assertEquals(List.of("30", "40"), reader.xcoms().getXComSlice(GetXComSliceRequest.newBuilder()
          .setRef(mapped).setStart(-2).build()).getValuesJsonList());
      // Python's values[::-1], values[3:0:-2], values[:-2:-1], values[:2], values[-1:1].
      assertEquals(List.of("40", "30", "20", "10", "0"), reader.xcoms().getXComSlice(GetXComSliceRequest.newBuilder()
          .setRef(mapped).setStep(-1).build()).getValuesJsonList());
      assertEquals(List.of("30", "10"), reader.xcoms().getXComSlice(GetXComSliceRequest.newBuilder()
          .setRef(mapped).setStart(3).setStop(0).setStep(-2).build()).getValuesJsonList());
      assertEquals(List.of("40"), reader.xcoms().getXComSlice(GetXComSliceRequest.newBuilder()
          .setRef(mapped).setStop(-2).setStep(-1).build()).getValuesJsonList());
      assertEquals(List.of("0", "10"), reader.xcoms().getXComSlice(GetXComSliceRequest.newBuilder()
          .setRef(mapped).setStop(2).build()).getValuesJsonList());
      assertEquals(List.of(), reader.xcoms().getXComSlice(GetXComSliceRequest.newBuilder()
          .setRef(mapped).setStart(-1).setStop(1).build()).getValuesJsonList());
      assertEquals(List.of("40", "30", "20"), reader.xcoms().getXComSlice(GetXComSliceRequest.newBuilder()
          .setRef(mapped).setStart(-1).setStop(1).setStep(-1).build()).getValuesJsonList());
      assertEquals("0", reader.xcoms().getXComItem(GetXComItemRequest.newBuilder().setRef(mapped).setOffset(-5).build())
          .getValueJson());
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () ->
          reader.xcoms().getXComItem(GetXComItemRequest.newBuilder().setRef(mapped).setOffset(-6).build()));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> reader.xcoms().getXComItem(
          GetXComItemRequest.newBuilder().setRef(mapped).setOffset(Integer.MIN_VALUE).build()));
      var count = reader.xcoms().getXComCount(GetXComCountRequest.newBuilder().setRef(mapped).build());
      assertEquals(5, count.getCount());
      assertEquals(List.of(0, 1, 2, 3, 4), count.getMapIndexesList());
      assertEquals("30", reader.xcoms().getXCom(GetXComRequest.newBuilder().setRef(mapped).setMapIndex(3).build())
          .getValueJson());
    }
  }

  /** Steps and bounds at the ends of int32 select what Python slicing would, never past the per-call limit. */
  @Test
  void extremeSliceStepsAndBoundsStayWithinTheLimit() throws Exception {
    try (var db = env.instance(javax.sql.DataSource.class).getConnection(); var statement = db.createStatement()) {
      statement.executeUpdate("insert into xcom (dag_run_id, task_id, map_index, key, value) "
          + "select r.id, 'wide', g, 'return_value', to_jsonb(g) from dag_run r, generate_series(0, 1999) g "
          + "where r.dag_id = '" + DemoData.ANALYTICS.dagId() + "' and r.run_id = '" + DemoData.RUN_ID + "'");
      db.commit();
    }
    try (TestTask reader = analyticsTask("wide_reader", -1)) {
      XComRef wide = ref("wide", "return_value");
      GetXComSliceRequest.Builder slice = GetXComSliceRequest.newBuilder().setRef(wide);
      assertEquals(List.of("0"), reader.xcoms().getXComSlice(slice.clone().setStep(Integer.MAX_VALUE).build())
          .getValuesJsonList());
      assertEquals(List.of("1"), reader.xcoms().getXComSlice(slice.clone().setStart(1).setStep(Integer.MAX_VALUE)
          .build()).getValuesJsonList());
      assertEquals(List.of("0"), reader.xcoms().getXComSlice(slice.clone().setStart(Integer.MIN_VALUE)
          .setStop(Integer.MAX_VALUE).setStep(Integer.MAX_VALUE).build()).getValuesJsonList());
      assertEquals(List.of("1", "1000", "1999"), reader.xcoms().getXComSlice(slice.clone().setStart(1).setStep(999).build())
          .getValuesJsonList());
      List<String> everyOther = reader.xcoms().getXComSlice(slice.clone().setStep(2).build()).getValuesJsonList();
      assertEquals(1000, everyOther.size());
      assertEquals("1998", everyOther.get(999));
      assertEquals(List.of(), reader.xcoms().getXComSlice(slice.clone().setStart(Integer.MAX_VALUE)
          .setStep(Integer.MAX_VALUE).build()).getValuesJsonList());
      refusedWithoutChange(env, Status.Code.OUT_OF_RANGE, () -> reader.xcoms().getXComSlice(slice.clone().build()));
      refusedWithoutChange(env, Status.Code.OUT_OF_RANGE, () -> reader.xcoms().getXComSlice(
          slice.clone().setStart(Integer.MIN_VALUE).setStop(Integer.MAX_VALUE).setStep(1).build()));
    }
  }

  /** A client that predates stop's presence sends has_stop = true with stop = 0: still "stop at 0". */
  @Test
  @SuppressWarnings("deprecation")
  void theDeprecatedHasStopStillMeansStopAtZero() throws Exception {
    try (TestTask mapped = analyticsTask("old_client_mapped", 0)) {
      mapped.xcoms().setXCom(set("return_value", "\"only\""));
    }
    try (TestTask reader = analyticsTask("old_client_reader", -1)) {
      GetXComSliceRequest.Builder slice = GetXComSliceRequest.newBuilder().setRef(ref("old_client_mapped", "return_value"));
      assertEquals(List.of(), reader.xcoms().getXComSlice(slice.clone().setHasStop(true).build()).getValuesJsonList());
      assertEquals(List.of("\"only\""), reader.xcoms().getXComSlice(slice.clone().build()).getValuesJsonList());
    }
  }

  /** A DAG with the given read scope, two runs (early, late) and mapped values of "producer" in each. */
  private static void twoRunsOfMappedValues(String dagId, XComReadScope scope) throws Exception {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(dagId).setBundle("analytics-dags")
        .setXcomReadScope(scope).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(dagId).setRunId("early")
        .setLogicalDate(com.google.protobuf.Timestamp.newBuilder().setSeconds(1795000000L)).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(dagId).setRunId("late")
        .setLogicalDate(com.google.protobuf.Timestamp.newBuilder().setSeconds(1795100000L)).build());
    for (int mapIndex = 0; mapIndex < 2; mapIndex++) {
      try (TestTask early = env.startTaskWithToken(queue(dagId, "early", "producer", mapIndex))) {
        early.xcoms().setXCom(set("return_value", "\"early " + mapIndex + "\""));
      }
    }
    try (TestTask late = env.startTaskWithToken(queue(dagId, "late", "producer", 0))) {
      late.xcoms().setXCom(set("return_value", "\"late 0\""));
    }
  }

  /** include_prior_dates on a slice: the values of earlier runs join the sequence, by map index, newest run first. */
  @Test
  void sliceWithIncludePriorDatesReadsEarlierRunsOfTheSameDag() throws Exception {
    twoRunsOfMappedValues("slice_prior", XComReadScope.XCOM_READ_SCOPE_SAME_DAG);
    try (TestTask consumer = env.startTaskWithToken(queue("slice_prior", "late", "consumer", -1))) {
      GetXComSliceRequest.Builder slice = GetXComSliceRequest.newBuilder().setRef(ref("producer", "return_value"));
      assertEquals(List.of("\"late 0\""), consumer.xcoms().getXComSlice(slice.build()).getValuesJsonList());
      GetXComSliceRequest.Builder prior = slice.clone().setIncludePriorDates(true);
      assertEquals(List.of("\"late 0\"", "\"early 0\"", "\"early 1\""),
          consumer.xcoms().getXComSlice(prior.build()).getValuesJsonList());
      assertEquals(List.of("\"early 1\"", "\"early 0\""),
          consumer.xcoms().getXComSlice(prior.clone().setStep(-1).setStop(0).build()).getValuesJsonList());
      // GetXComItem over the same sequence (Airflow's GET of an XCom with an offset and include_prior_dates).
      GetXComItemRequest item = GetXComItemRequest.newBuilder().setRef(ref("producer", "return_value"))
          .setIncludePriorDates(true).setOffset(1).build();
      GetXComResponse second = consumer.xcoms().getXComItem(item);
      assertEquals("\"early 0\"", second.getValueJson());
      assertEquals("early", second.getRef().getRunId());
      assertEquals("\"early 1\"", consumer.xcoms().getXComItem(item.toBuilder().setOffset(-1).build()).getValueJson());
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> consumer.xcoms().getXComItem(item.toBuilder()
          .setIncludePriorDates(false).build()));
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> consumer.xcoms().getXComItem(item.toBuilder()
          .setRef(XComRef.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
              .setTaskId("mapped").setKey("return_value")).build()));
      // Another DAG of the team stays outside a SAME_DAG reader's scope, prior dates or not.
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> consumer.xcoms().getXComSlice(prior.clone()
          .setRef(XComRef.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
              .setTaskId("mapped").setKey("return_value")).build()));
    }
    // The early run's reader sees no later run's values.
    try (TestTask earlyConsumer = env.startTaskWithToken(queue("slice_prior", "early", "consumer", -1))) {
      assertEquals(List.of("\"early 0\"", "\"early 1\""), earlyConsumer.xcoms().getXComSlice(GetXComSliceRequest
          .newBuilder().setRef(ref("producer", "return_value")).setIncludePriorDates(true).build()).getValuesJsonList());
    }
  }

  /** A SAME_RUN reader's slice with include_prior_dates stays in its own run. */
  @Test
  void sliceWithIncludePriorDatesDoesNotLeaveASameRunScope() throws Exception {
    twoRunsOfMappedValues("slice_narrow", XComReadScope.XCOM_READ_SCOPE_SAME_RUN);
    try (TestTask consumer = env.startTaskWithToken(queue("slice_narrow", "late", "consumer", -1))) {
      GetXComSliceRequest prior = GetXComSliceRequest.newBuilder().setRef(ref("producer", "return_value"))
          .setIncludePriorDates(true).build();
      assertEquals(List.of("\"late 0\""), consumer.xcoms().getXComSlice(prior).getValuesJsonList());
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> consumer.xcoms().getXComItem(GetXComItemRequest
          .newBuilder().setRef(ref("producer", "return_value")).setIncludePriorDates(true).setOffset(1).build()));
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> consumer.xcoms().getXComSlice(prior.toBuilder()
          .setRef(XComRef.newBuilder().setRunId("early").setTaskId("producer").setKey("return_value")).build()));
    }
  }

  /** mapped_length has presence: 0 is a length (an empty expansion), unset is none; dag_result is kept. */
  @Test
  void setKeepsAZeroMappedLengthAndTheDagResultFlag() throws Exception {
    try (TestTask task = analyticsTask("expander", -1)) {
      task.xcoms().setXCom(set("return_value", "[]").toBuilder().setMappedLength(0).build());
      assertEquals(1, env.count("select count(*) from xcom where task_id = 'expander' and mapped_length = 0"
          + " and not dag_result"));
      task.xcoms().setXCom(set("return_value", "[1]").toBuilder().setDagResult(true).build());
      assertEquals(1, env.count("select count(*) from xcom where task_id = 'expander' and mapped_length is null"
          + " and dag_result"));
      task.xcoms().setXCom(set("return_value", "[1, 2]").toBuilder().setMappedLength(2).build());
      assertEquals(1, env.count("select count(*) from xcom where task_id = 'expander' and mapped_length = 2"
          + " and not dag_result"));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.xcoms().setXCom(
          set("return_value", "[]").toBuilder().setMappedLength(-1).setDagResult(true).build()));
    }
  }

  @Test
  void includePriorDatesFindsTheValueOfAnEarlierRun() throws Exception {
    try (TestTask producer = analyticsTask("daily_total", -1)) {
      producer.xcoms().setXCom(set("total", "7"));
    }
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
        .setRunId("scheduled__2026-11-26T00:00:00+00:00")
        .setLogicalDate(com.google.protobuf.Timestamp.newBuilder().setSeconds(1795651200L)).build());
    String token = env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId(DemoData.ANALYTICS.dagId()).setRunId("scheduled__2026-11-26T00:00:00+00:00")
        .setTaskId("next_day").setMapIndex(-1).build()).getEnrollmentToken();
    try (TestTask nextDay = env.startTaskWithToken(token)) {
      GetXComRequest.Builder request = GetXComRequest.newBuilder().setRef(ref("daily_total", "total"));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> nextDay.xcoms().getXCom(request.build()));
      GetXComResponse prior = nextDay.xcoms().getXCom(request.setIncludePriorDates(true).build());
      assertEquals("7", prior.getValueJson());
      assertEquals(DemoData.RUN_ID, prior.getRef().getRunId());
    }
  }

  @Test
  void refusesXComCallsOnceTheTryEnded() throws Exception {
    try (TestTask task = analyticsTask("finisher", -1)) {
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
      // Writing its own XComs stays open for the post-terminal grace (PostTerminalGraceTest); the rest is refused.
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.xcoms().deleteXCom(
          DeleteXComRequest.newBuilder().setKey("late").build()));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.xcoms().getXCom(
          GetXComRequest.newBuilder().setRef(ref("finisher", "late")).build()));
      assertEquals(0, env.count("select count(*) from xcom where task_id = 'finisher'"));
    }
  }
}
