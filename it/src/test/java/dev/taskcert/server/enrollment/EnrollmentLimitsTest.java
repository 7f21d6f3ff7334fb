package dev.taskcert.server.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.RefusedEnrollments;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * What one anonymous caller of the enrollment port, and all of them together, can make the server
 * do: a rate per address, a bounded number of enrollments in progress, and a bounded audit trail
 * of refusals. Each test runs its own server with small limits.
 */
class EnrollmentLimitsTest {
  private static final String UNKNOWN_TOKEN = "A".repeat(EnrollmentTokens.TOKEN_LENGTH);
  private final SecureRandom random = new SecureRandom();

  private static TestEnvironment withLimits(ServerConfig.EnrollmentLimits limits) {
    return new TestEnvironment(builder -> builder.enrollmentLimits(limits));
  }

  private EnrollRequest request(String token) {
    return EnrollRequest.newBuilder().setEnrollmentToken(token)
        .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(random)))).build();
  }

  private static Status statusOf(ListenableFuture<EnrollResponse> call) throws Exception {
    try {
      call.get(60, TimeUnit.SECONDS);
      return Status.OK;
    } catch (ExecutionException e) {
      return Status.fromThrowable(e.getCause());
    }
  }

  private static Status statusOf(EnrollmentGrpc.EnrollmentBlockingStub stub, EnrollRequest request) {
    try {
      stub.withDeadlineAfter(20, TimeUnit.SECONDS).enroll(request);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  @Test
  void oneAddressBeyondItsRateIsRefusedWithResourceExhausted() throws Exception {
    try (TestEnvironment env = withLimits(new ServerConfig.EnrollmentLimits(8, 256, 1, 3, Duration.ofMinutes(1)))
        .started()) {
      ManagedChannel channel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
      try {
        EnrollmentGrpc.EnrollmentBlockingStub stub = EnrollmentGrpc.newBlockingStub(channel);
        String before = DatabaseFingerprint.of(env);
        List<Status.Code> codes = new ArrayList<>();
        Status refused = null;
        // Three at once, then one a second: a caller far faster than that is soon refused.
        for (int i = 0; i < 50 && refused == null; i++) {
          Status status = statusOf(stub, request(UNKNOWN_TOKEN));
          codes.add(status.getCode());
          if (status.getCode() != Status.Code.UNAUTHENTICATED) {
            refused = status;
          }
        }
        assertTrue(codes.size() > 3, "the first three are within the burst: " + codes);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused == null ? null : refused.getCode(), codes.toString());
        assertEquals("too many enrollments from this address (at most 1 per second, 3 at once); retry later",
            refused.getDescription());
        assertEquals(before, DatabaseFingerprint.of(env), "refused calls change nothing");
        assertTrue(env.count("select count(*) from audit_event where kind = 'enroll_refused' and resource = 'enrollment_rate'"
            + " and detail like 'from 127.0.0.1: rate limit of 1/s (burst 3) exceeded'") == 1, "the first is audited");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void enrollmentsBeyondTheWorkersAndTheirQueueAreRefusedWithResourceExhausted() throws Exception {
    try (TestEnvironment env = withLimits(new ServerConfig.EnrollmentLimits(1, 1, 0, 1, Duration.ofMinutes(1)))
        .started()) {
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        tokens.add(env.dev().taskQueue()
            .queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "capacity_" + i, -1, 1, null).enrollmentToken());
      }
      ManagedChannel channel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
      try (Connection blocker = env.instance(DataSource.class).getConnection();
          Statement statement = blocker.createStatement()) {
        EnrollmentGrpc.EnrollmentFutureStub stub = EnrollmentGrpc.newFutureStub(channel);
        // The one worker is kept busy: the first enrollment waits for a task row this test locks.
        statement.execute("select id from task_instance where task_id = 'capacity_0' for update");
        ListenableFuture<EnrollResponse> first = stub.enroll(request(tokens.get(0)));
        Await.until("the first enrollment waits for the locked row", Duration.ofSeconds(30), () -> {
          try {
            return env.count("select count(*) from pg_stat_activity where wait_event_type = 'Lock'") > 0;
          } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
          }
        });
        String before = DatabaseFingerprint.of(env);
        List<ListenableFuture<EnrollResponse>> more = new ArrayList<>();
        for (int i = 1; i < 6; i++) {
          more.add(stub.enroll(request(tokens.get(i))));
        }
        // One of the five waits in the queue; the other four are refused at once.
        Await.until("four enrollments are refused", Duration.ofSeconds(30),
            () -> more.stream().filter(ListenableFuture::isDone).count() == 4);
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < more.size(); i++) {
          if (more.get(i).isDone()) {
            Status status = statusOf(more.get(i));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
            assertEquals("the server is enrolling as many tasks as it can; retry later", status.getDescription());
            refused.add(i + 1);
          }
        }
        assertEquals(before, DatabaseFingerprint.of(env), "the refused enrollments changed nothing");
        blocker.rollback();
        assertEquals(Status.Code.OK, statusOf(first).getCode());
        for (ListenableFuture<EnrollResponse> call : more) {
          if (!refused.contains(more.indexOf(call) + 1)) {
            assertEquals(Status.Code.OK, statusOf(call).getCode(), "the queued enrollment is served");
          }
        }
        // A refused enrollment consumed nothing: each token still enrolls.
        EnrollmentGrpc.EnrollmentBlockingStub blocking = EnrollmentGrpc.newBlockingStub(channel);
        for (int index : refused) {
          assertEquals(Status.Code.OK, statusOf(blocking, request(tokens.get(index))).getCode());
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void repeatedAnonymousRefusalsWriteTheFirstAndACountWrittenWhenTheServerStops() throws Exception {
    try (TestEnvironment env = withLimits(new ServerConfig.EnrollmentLimits(8, 256, 0, 1, Duration.ofHours(1)))
        .started()) {
      long rows = RefusedEnrollments.rows(env);
      ManagedChannel channel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
      try {
        EnrollmentGrpc.EnrollmentBlockingStub stub = EnrollmentGrpc.newBlockingStub(channel);
        for (int i = 0; i < 30; i++) {
          assertEquals(Status.Code.UNAUTHENTICATED, statusOf(stub, request(i % 2 == 0 ? UNKNOWN_TOKEN : "not a token")).getCode());
        }
      } finally {
        channel.shutdownNow();
      }
      assertEquals(rows + 1, RefusedEnrollments.rows(env), "only the first refusal of the window is written at once");
      assertEquals("from 127.0.0.1: token unknown, used, voided or expired", env.audit(1).get(0).detail());

      env.dev().restartServer();
      assertEquals(rows + 2, RefusedEnrollments.rows(env), "stopping the server writes the count of the rest");
      String summary = env.audit(1).get(0).detail();
      assertEquals(29, RefusedEnrollments.countOf(summary), summary);
      assertTrue(summary.startsWith("from 127.0.0.1: 29 more refusals since ") && summary.endsWith("; last: malformed token"),
          summary);
    }
  }

  @Test
  void aWindowNobodyRefreshesIsClosedWithItsCount() throws Exception {
    try (TestEnvironment env = withLimits(new ServerConfig.EnrollmentLimits(8, 256, 0, 1, Duration.ofSeconds(2)))
        .started()) {
      ManagedChannel channel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
      try {
        EnrollmentGrpc.EnrollmentBlockingStub stub = EnrollmentGrpc.newBlockingStub(channel);
        for (int i = 0; i < 5; i++) {
          assertEquals(Status.Code.UNAUTHENTICATED, statusOf(stub, request(UNKNOWN_TOKEN)).getCode());
        }
        // Nothing else happens on the port: the server itself closes the window and writes its count.
        Await.until("the window's count is written", Duration.ofSeconds(30), () -> {
          List<String> details = env.audit(20).stream()
              .filter(event -> event.kind().equals("enroll_refused")).map(event -> event.detail()).toList();
          return details.stream().mapToLong(RefusedEnrollments::countOf).sum() == 5
              && details.stream().anyMatch(RefusedEnrollments::isSummary);
        });
        assertTrue(RefusedEnrollments.rows(env) < 5, "fewer rows than refusals");
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
