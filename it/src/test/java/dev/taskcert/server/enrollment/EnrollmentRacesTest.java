package dev.taskcert.server.enrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.EndTryRequest;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.HeldRowLock;
import dev.taskcert.server.testing.Statuses;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Enrollment reads the token and its try once, checks the CSR and signs outside any transaction,
 * then records the certificate in one statement that checks everything again on the locked rows.
 * These tests make the token or the try change at exactly that point, between the read and the
 * statement, by holding the rows the statement needs: the statement then changes nothing, the
 * caller is told why as precisely as ever, and a certificate is never stored without its audit
 * event.
 */
class EnrollmentRacesTest {
  private static final String ENROLL_STATEMENT = "from enrollment_token t";
  private static final String TOKEN_REFUSED = "enrollment token is invalid, already used, or expired";

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private final SecureRandom random = new SecureRandom();
  private final ExecutorService callers = Executors.newFixedThreadPool(3);
  private ManagedChannel enrollChannel;

  @BeforeEach
  void openChannel() throws Exception {
    enrollChannel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
  }

  @AfterEach
  void close() {
    callers.shutdownNow();
    enrollChannel.shutdownNow();
  }

  private EnrollResponse enroll(String token) {
    return EnrollmentGrpc.newBlockingStub(enrollChannel).withDeadlineAfter(20, TimeUnit.SECONDS)
        .enroll(EnrollRequest.newBuilder().setEnrollmentToken(token)
            .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(random)))).build());
  }

  private QueuedTry queue(String taskId) {
    return env.dev().taskQueue().queue(DemoData.PAYMENTS.dagId(), DemoData.RUN_ID, taskId, -1, 1, null);
  }

  private static String tokenHash(QueuedTry queued) {
    return "sha256(convert_to('" + queued.enrollmentToken() + "', 'UTF8'))";
  }

  private static String taskInstanceOf(QueuedTry queued) {
    return "(select task_instance_id from enrollment_token where token_hash = " + tokenHash(queued) + ")";
  }

  /** A call's outcome: OK, or the status it was refused with. */
  private static Status outcome(Future<?> call) throws Exception {
    try {
      call.get(30, TimeUnit.SECONDS);
      return Status.OK;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException refused) {
        return refused.getStatus();
      }
      throw e;
    }
  }

  @Test
  void aTryEndedBetweenTheLookupAndTheStatementGetsNoCertificate() throws Exception {
    QueuedTry queued = queue("ended_while_enrolling");
    TaskIdentity identity = queued.identity();
    Future<?> ending;
    Future<?> enrolling;
    try (HeldRowLock row = HeldRowLock.of(env,
        "select id from task_instance where id = " + taskInstanceOf(queued) + " for update")) {
      // The admin's end queues for the try's row first, then the enrollment's statement behind it:
      // the enrollment has read the QUEUED try and signed, and finds the try ended once it gets it.
      ending = callers.submit(() -> env.admin().endTry(EndTryRequest.newBuilder()
          .setTaskTry(TaskTryRef.newBuilder().setDagId(identity.dagId()).setRunId(identity.runId())
              .setTaskId(identity.taskId()).setMapIndex(identity.mapIndex()).setTryNumber(identity.tryNumber()))
          .setState(TaskState.TASK_STATE_FAILED).setReason("ended while enrolling").build()));
      row.awaitWaiting(1, "ti.max_tries, ti.state");
      enrolling = callers.submit(() -> enroll(queued.enrollmentToken()));
      row.awaitWaiting(1, ENROLL_STATEMENT);
      row.release();
    }
    assertEquals(Status.Code.OK, outcome(ending).getCode());
    Status refused = outcome(enrolling);
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getCode(), refused.toString());
    assertEquals("task instance is FAILED; enrollment needs QUEUED", refused.getDescription());

    assertEquals(0, env.count("select count(*) from issued_certificate where spiffe_id = '" + queued.spiffeId() + "'"),
        "the certificate signed for the refused statement was not recorded");
    assertEquals(0, env.count("select count(*) from audit_event where kind = 'issue' and principal = '"
        + queued.spiffeId() + "'"), "nor audited");
    assertEquals(1, env.count("select count(*) from enrollment_token where token_hash = " + tokenHash(queued)
        + " and used_at is null"), "the token was not consumed");
    assertEquals(1, env.count("select count(*) from task_instance where id = " + taskInstanceOf(queued)
        + " and enrolled_at is null"), "the try's clock was not started");
  }

  @Test
  void twoEnrollmentsWithOneTokenAtTheStatementTogetherGetOneCertificate() throws Exception {
    QueuedTry queued = queue("enrolled_twice_at_once");
    List<Future<EnrollResponse>> enrollments = new ArrayList<>();
    try (HeldRowLock token = HeldRowLock.of(env,
        "select token_hash from enrollment_token where token_hash = " + tokenHash(queued) + " for update")) {
      // Both found the token redeemable and signed a certificate; both statements wait for it.
      for (int i = 0; i < 2; i++) {
        enrollments.add(callers.submit(() -> enroll(queued.enrollmentToken())));
      }
      token.awaitWaiting(2, ENROLL_STATEMENT);
      token.release();
    }
    List<Status> outcomes = new ArrayList<>();
    EnrollResponse winner = null;
    for (Future<EnrollResponse> enrollment : enrollments) {
      Status status = outcome(enrollment);
      outcomes.add(status);
      if (status.isOk()) {
        winner = enrollment.get();
      }
    }
    assertEquals(1, outcomes.stream().filter(Status::isOk).count(), outcomes.toString());
    Status loser = outcomes.stream().filter(status -> !status.isOk()).findFirst().orElseThrow();
    assertEquals(Status.Code.UNAUTHENTICATED, loser.getCode(), loser.toString());
    assertEquals(TOKEN_REFUSED, loser.getDescription());

    assertEquals(1, env.count("select count(*) from issued_certificate where spiffe_id = '" + queued.spiffeId() + "'"));
    assertEquals(1, env.count("select count(*) from issued_certificate where serial_hex = '" + winner.getSerialHex()
        + "'"), "the certificate recorded is the one sent");
    assertEquals(1, env.count("select count(*) from audit_event where kind = 'issue' and resource = 'certificate:"
        + winner.getSerialHex() + "'"), "with its audit event");
    assertEquals(1, env.count("select count(*) from audit_event where kind = 'issue' and principal = '"
        + queued.spiffeId() + "'"), "and no other");
    assertEquals(1, env.count("select count(*) from enrollment_token where token_hash = " + tokenHash(queued)
        + " and used_at is not null"));
    assertEquals(1, env.count("select count(*) from task_instance where id = " + taskInstanceOf(queued)
        + " and enrolled_at is not null"));
  }

  @Test
  void aCertificateIsNeverRecordedWithoutItsAuditEvent() throws Exception {
    QueuedTry queued = queue("audited_with_its_certificate");
    EnrollResponse enrolled;
    try (TestTask task = env.startTask(queue("renewed_with_its_audit_event"))) {
      // The audit log refuses this try's issue events: the statement that would record a
      // certificate fails as a whole, so neither enrollment nor renewal stores a certificate alone.
      refuseIssueEventsOf(queued.spiffeId(), task.spiffeId());
      try {
        String before = DatabaseFingerprint.of(env);
        assertEquals(Status.Code.INTERNAL, Statuses.codeOf(() -> enroll(queued.enrollmentToken())));
        assertEquals(Status.Code.INTERNAL, Statuses.codeOf(() -> task.ca().renew(RenewRequest.newBuilder()
            .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(random)))).build())));
        assertEquals(before, DatabaseFingerprint.of(env), "a certificate was stored without its audit event");
      } finally {
        allowIssueEvents();
      }
      enrolled = enroll(queued.enrollmentToken());
      EnrollResponse renewed = task.ca().renew(RenewRequest.newBuilder()
          .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(random)))).build());
      assertEquals(1, env.count("select count(*) from audit_event where kind = 'issue' and resource = 'certificate:"
          + renewed.getSerialHex() + "' and detail like 'renewed from %'"));
    }
    assertEquals(1, env.count("select count(*) from audit_event where kind = 'issue' and resource = 'certificate:"
        + enrolled.getSerialHex() + "' and detail like 'enrolled; not after %'"));
    assertEquals(0, env.count("""
        select count(*) from issued_certificate c
        where not exists (select 1 from audit_event a where a.kind = 'issue' and a.resource = 'certificate:' || c.serial_hex)
        """), "every certificate recorded has its audit event");
  }

  private static void refuseIssueEventsOf(String... spiffeIds) throws Exception {
    execute("""
        create function refuse_issue_events() returns trigger language plpgsql as $$
        begin
          if new.kind = 'issue' and new.principal in ('%s') then
            raise exception 'audit log unavailable';
          end if;
          return new;
        end $$""".formatted(String.join("', '", spiffeIds)));
    execute("create trigger refuse_issue_events before insert on audit_event for each row "
        + "execute function refuse_issue_events()");
  }

  private static void allowIssueEvents() throws Exception {
    execute("drop trigger refuse_issue_events on audit_event");
    execute("drop function refuse_issue_events()");
  }

  private static void execute(String sql) throws Exception {
    try (var connection = env.instance(javax.sql.DataSource.class).getConnection();
        var statement = connection.createStatement()) {
      statement.execute(sql);
      connection.commit();
    }
  }
}
