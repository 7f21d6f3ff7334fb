package dev.taskcert.server.dagrun;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunRequest;
import dev.taskcert.proto.execution.v1.GetRescheduleStartDateRequest;
import dev.taskcert.proto.execution.v1.RescheduleTaskRequest;
import dev.taskcert.proto.execution.v1.SetRenderedMapIndexRequest;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The caller's own try's rendered map index and reschedules; the previous successful run's dates. */
class TaskInstanceDetailsTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static String renderedMapIndexOf(String taskId) throws Exception {
    return env.count("select count(*) from task_instance where task_id = '" + taskId + "' and rendered_map_index = 'eu-west'")
        == 1 ? "eu-west" : "other";
  }

  @Test
  void setRenderedMapIndexStoresItOnTheCallersOwnTry() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "mapped_render")) {
      task.taskInstanceDetails().setRenderedMapIndex(SetRenderedMapIndexRequest.newBuilder()
          .setRenderedMapIndex("eu-west").build());
      assertEquals("eu-west", renderedMapIndexOf("mapped_render"));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstanceDetails().setRenderedMapIndex(
          SetRenderedMapIndexRequest.newBuilder().setRenderedMapIndex("").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstanceDetails().setRenderedMapIndex(
          SetRenderedMapIndexRequest.newBuilder().setRenderedMapIndex("x".repeat(251)).build()));
    }
  }

  @Test
  void eachRescheduleIsRecordedAndItsStartServedToTheSameTry() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "poker")) {
      assertFalse(task.taskInstanceDetails().getRescheduleStartDate(GetRescheduleStartDateRequest.getDefaultInstance())
          .hasStartDate(), "not rescheduled yet");
      Instant later = Instant.now().plusSeconds(600);
      task.taskInstances().rescheduleTask(RescheduleTaskRequest.newBuilder()
          .setRescheduleDate(com.google.protobuf.Timestamp.newBuilder().setSeconds(later.getEpochSecond())).build());
      String reschedules = "select count(*) from task_reschedule tr join task_instance ti on ti.id = tr.task_instance_id"
          + " where ti.task_id = 'poker' and tr.try_number = ti.try_number and tr.start_date = ti.start_date"
          + " and tr.reschedule_date = to_timestamp(" + later.getEpochSecond() + ")";
      assertEquals(1, env.count(reschedules));
      // A rescheduled try is not running: it may not read until it resumes.
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.taskInstanceDetails()
          .getRescheduleStartDate(GetRescheduleStartDateRequest.getDefaultInstance()));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.taskInstanceDetails()
          .setRenderedMapIndex(SetRenderedMapIndexRequest.newBuilder().setRenderedMapIndex("late").build()));
    }
  }

  @Test
  void thePreviousSuccessfulRunCarriesItsStartAndEndDates() throws Exception {
    env.admin().createDagRun(dev.taskcert.proto.admin.v1.CreateDagRunRequest.newBuilder()
        .setDagId(DemoData.ANALYTICS.dagId()).setRunId("scheduled__2020-01-01")
        .setLogicalDate(CrossDagWorld.ts(Instant.parse("2020-01-01T00:00:00Z"))).build());
    env.admin().setDagRunState(dev.taskcert.proto.admin.v1.SetDagRunStateRequest.newBuilder()
        .setDagId(DemoData.ANALYTICS.dagId()).setRunId("scheduled__2020-01-01").setState("success").build());
    try (TestTask task = CrossDagWorld.analyticsTask(env, "dated")) {
      var response = task.taskInstances().getPreviousSuccessfulDagRun(GetPreviousSuccessfulDagRunRequest.getDefaultInstance());
      assertEquals("scheduled__2020-01-01", response.getDagRun().getRunId());
      assertEquals(env.count("select floor(extract(epoch from created_at))::bigint from dag_run where run_id = 'scheduled__2020-01-01'"),
          response.getStartDate().getSeconds());
      assertEquals(env.count("select floor(extract(epoch from end_date))::bigint from dag_run where run_id = 'scheduled__2020-01-01'"),
          response.getEndDate().getSeconds());
    }
  }
}
