package dev.taskcert.server.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.proto.authz.v1.Caller;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.authz.MethodRule;
import dev.taskcert.server.authz.MethodRules;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.grpc.ServicePorts;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.ForgedLeaves;
import dev.taskcert.server.testing.RawCalls;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.channel.ClientTls;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.lang.annotation.Annotation;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every method of every service the server binds, enumerated from the bound descriptors (not from
 * a list in this test), called by each caller it is not for: a task certificate on an admin
 * method, an admin certificate on a task method, a certificate without a usable identity, no
 * certificate at all, and a task whose try is queued, finished or superseded where the rule does
 * not admit that. Which caller a method is for is pinned here by its service's name, not taken
 * from its rule, so a rule changed to admit the wrong kind of caller fails here too. Each call gets
 * its exact status, leaves the whole database as it was, and a refusal at the front door is
 * audited once. A method added later is covered without a change here, unless its service is of a
 * kind not pinned yet.
 */
class WrongCallerTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();
  private static final byte[] EMPTY_REQUEST = new byte[0];

  private static TestTask task;
  private static ManagedChannel taskChannel;
  private static ManagedChannel adminChannel;

  /** A served method: its rule and the port it is bound on. */
  private record Served(MethodRule rule, boolean executionPort) {
    String method() {
      return rule.method();
    }

    /** The caller kind this method's service is for, whatever its rule says. */
    Caller callerKind() {
      return callerKindOf(method());
    }
  }

  /**
   * The caller kind each service is for, by the service's name: the control plane's services
   * ({@code taskcert.admin.*}) admins only; enrollment and the standard services anyone; renewal
   * and the task API ({@code taskcert.execution.*}) tasks only.
   */
  static Caller callerKindOf(String method) {
    String service = method.substring(0, method.indexOf('/'));
    if (service.startsWith("taskcert.admin.")) {
      return Caller.CALLER_ADMIN;
    }
    if (service.equals("taskcert.ca.v1.Enrollment") || service.equals("grpc.health.v1.Health")
        || service.equals("grpc.reflection.v1.ServerReflection")) {
      return Caller.CALLER_ANONYMOUS;
    }
    if (service.equals("taskcert.ca.v1.Renewal") || service.startsWith("taskcert.execution.")) {
      return Caller.CALLER_TASK;
    }
    throw new AssertionError("no caller kind is pinned for service " + service + ": decide it in WrongCallerTest");
  }

  @BeforeAll
  static void start() throws Exception {
    task = env.startTask(DemoData.ANALYTICS);
    taskChannel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), task.session().credentials());
    env.admin(); // opens the admin channel
    adminChannel = ClientTls.mutualTlsChannel(env.dev().executionTarget(),
        env.credentialsFor(new dev.taskcert.pki.identity.AdminIdentity("wrong-caller-test")));
  }

  @AfterAll
  static void stop() {
    taskChannel.shutdownNow();
    adminChannel.shutdownNow();
    task.close();
  }

  private static List<Served> served() {
    List<Served> served = new ArrayList<>();
    for (var port : List.of(ServicePorts.Execution.class, ServicePorts.Enrollment.class)) {
      List<ServerServiceDefinition> definitions = bound(port).stream().map(BindableService::bindService).toList();
      MethodRules.of(definitions).all()
          .forEach(rule -> served.add(new Served(rule, port == ServicePorts.Execution.class)));
      definitions.forEach(definition -> definition.getMethods().forEach(method -> assertEquals(
          MethodDescriptor.MethodType.UNARY, method.getMethodDescriptor().getType(), method.toString())));
    }
    return served;
  }

  private static Set<BindableService> bound(Class<? extends Annotation> port) {
    return env.dev().runtime().injector().getInstance(Key.get(new TypeLiteral<Set<BindableService>>() {}, port));
  }

  private static List<Served> served(Predicate<Served> which) {
    return served().stream().filter(which).toList();
  }

  /**
   * Calls {@code method} with an empty request as {@code channel}'s caller and requires {@code
   * expected}, an unchanged database and, when {@code audited}, exactly one new audit record of it.
   */
  private static void assertRefused(ManagedChannel channel, String method, Status.Code expected, boolean audited)
      throws Exception {
    String before = DatabaseFingerprint.of(env);
    long records = env.count("select count(*) from audit_event where rpc = '" + method + "'");
    Status status = RawCalls.status(channel, method, EMPTY_REQUEST);
    assertEquals(expected, status.getCode(), method + ": " + status);
    assertEquals(before, DatabaseFingerprint.of(env), method + " changed the database");
    assertEquals(records + (audited ? 1 : 0),
        env.count("select count(*) from audit_event where rpc = '" + method + "'"), method + " audit records");
  }

  @Test
  void theEnumerationReachesEveryKindOfRule() {
    List<Served> all = served();
    assertTrue(all.stream().filter(s -> s.callerKind() == Caller.CALLER_ADMIN).count() >= 12, all.toString());
    assertTrue(all.stream().filter(s -> s.callerKind() == Caller.CALLER_TASK).count() >= 20, all.toString());
    assertTrue(all.stream().anyMatch(s -> s.callerKind() == Caller.CALLER_ANONYMOUS && !s.executionPort()));
  }

  @Test
  void everyMethodsRuleAdmitsOnlyTheCallerItsServiceIsFor() {
    List<String> wrong = served().stream()
        .filter(s -> s.rule().caller() != s.callerKind())
        .map(s -> s.method() + " is for " + s.callerKind() + " but its rule admits " + s.rule().caller())
        .toList();
    assertEquals(List.of(), wrong);
  }

  @Test
  void everyAdminMethodRefusesATaskCertificate() throws Exception {
    for (Served served : served(s -> s.callerKind() == Caller.CALLER_ADMIN)) {
      assertRefused(taskChannel, served.method(), Status.Code.PERMISSION_DENIED, true);
    }
  }

  @Test
  void everyTaskMethodRefusesAnAdminCertificate() throws Exception {
    for (Served served : served(s -> s.callerKind() == Caller.CALLER_TASK)) {
      assertRefused(adminChannel, served.method(), Status.Code.PERMISSION_DENIED, true);
    }
  }

  @Test
  void everyCertificateMethodRefusesACertificateWithoutAUsableIdentity() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(new SecureRandom());
    // Our trust domain (a foreign one is refused at the handshake by the intermediate's name
    // constraint), but a path that names no task try and no admin.
    String foreign = task.spiffeId().substring(0, task.spiffeId().indexOf("/ti/")) + "/workload/not-a-task";
    var leaf = ForgedLeaves.signedByIntermediate(env, keys, Instant.now().minusSeconds(60),
        Instant.now().plusSeconds(600), ForgedLeaves::clientLeaf, foreign);
    ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(),
        ForgedLeaves.credentials(env, leaf, keys, foreign));
    try {
      for (Served served : served(s -> s.callerKind() != Caller.CALLER_ANONYMOUS)) {
        assertRefused(channel, served.method(), Status.Code.UNAUTHENTICATED, true);
      }
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void noCertificateMethodIsServedWhereCallersHaveNoCertificate() throws Exception {
    // The enrollment port serves only anonymous methods; every other one is not there at all.
    ManagedChannel enrollment = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(),
        env.supervisorConfig().trustRoots());
    // The execution port requires a client certificate in the handshake.
    ManagedChannel noCertificate = ClientTls.serverAuthChannel(env.dev().executionTarget(),
        env.supervisorConfig().trustRoots());
    try {
      for (Served served : served(s -> s.callerKind() != Caller.CALLER_ANONYMOUS)) {
        assertTrue(served.executionPort(), served.method() + " needs a certificate but is on the enrollment port");
        assertRefused(enrollment, served.method(), Status.Code.UNIMPLEMENTED, false);
        assertRefused(noCertificate, served.method(), Status.Code.UNAVAILABLE, false);
      }
      for (Served served : served(s -> s.callerKind() == Caller.CALLER_ANONYMOUS)) {
        assertFalse(served.executionPort() && served.method().startsWith("taskcert."),
            served.method() + " is anonymous but on the mutual-TLS port");
      }
    } finally {
      enrollment.shutdownNow();
      noCertificate.shutdownNow();
    }
  }

  @Test
  void everyTaskMethodRefusesATryInAStateItsRuleDoesNotAdmit() throws Exception {
    // Queued: enrolled, never started.
    QueuedTry queued = env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "wrong_state_queued",
        -1, 1, null);
    TaskSession queuedSession = TaskSession.open(env.supervisorConfig(), queued.enrollmentToken(), new SecureRandom());
    // Finished: started, then SUCCESS.
    TestTask finished = env.startTask(env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID,
        "wrong_state_finished", -1, 1, null));
    finished.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
    // Superseded: started, then the next try is queued.
    TestTask superseded = env.startTask(env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID,
        "wrong_state_superseded", -1, 2, null));
    env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "wrong_state_superseded", -1, 2, null);

    record Try(String what, ManagedChannel channel, Predicate<MethodRule> refused) {}
    List<Try> tries = List.of(
        new Try("queued", ClientTls.mutualTlsChannel(env.dev().executionTarget(), queuedSession.credentials()),
            rule -> !rule.admits(dev.taskcert.server.taskinstance.TaskState.QUEUED)),
        new Try("finished", ClientTls.mutualTlsChannel(env.dev().executionTarget(), finished.session().credentials()),
            // (methods with a post-terminal grace admit it for a while: PostTerminalGraceTest)
            rule -> !rule.admits(dev.taskcert.server.taskinstance.TaskState.SUCCESS) && !rule.postTerminalGrace()),
        new Try("superseded", ClientTls.mutualTlsChannel(env.dev().executionTarget(),
            superseded.session().credentials()), rule -> true));
    try {
      for (Try t : tries) {
        List<Served> refused = served(s -> s.callerKind() == Caller.CALLER_TASK && t.refused().test(s.rule()));
        assertFalse(refused.isEmpty(), t.what());
        for (Served served : refused) {
          assertRefused(t.channel(), served.method(), Status.Code.FAILED_PRECONDITION, true);
        }
      }
    } finally {
      tries.forEach(t -> t.channel().shutdownNow());
      queuedSession.close();
      finished.close();
      superseded.close();
    }
  }
}
