package dev.taskcert.admin;

import static dev.taskcert.server.testing.Statuses.codeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.audit.AuditKind;
import dev.taskcert.dev.DevEnvironment;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.AssetAdminGrpc;
import dev.taskcert.proto.admin.v1.HitlAdminGrpc;
import dev.taskcert.proto.execution.v1.CreateHitlDetailRequest;
import dev.taskcert.proto.execution.v1.GetHitlDetailRequest;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.server.testing.FreePorts;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code taskcert-admin} end to end against a real server: every Admin RPC, both output forms, every exit status. */
class AdminCliTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The command that makes each RPC of the admin services; a test checks the map covers them all. */
  private static final Map<String, String> COMMAND_OF_RPC = Map.ofEntries(
      Map.entry("RegisterTeam", "team register"), Map.entry("RegisterDagBundle", "bundle register"),
      Map.entry("RegisterDag", "dag register"), Map.entry("CreateDagRun", "run create"),
      Map.entry("SetDagRunState", "run set-state"), Map.entry("QueueTaskInstance", "try queue"),
      Map.entry("ResumeTaskInstance", "try resume"),
      Map.entry("SetVariable", "variable set"), Map.entry("DeleteVariable", "variable delete"),
      Map.entry("SetConnection", "connection set"), Map.entry("DeleteConnection", "connection delete"),
      Map.entry("RevokeCertificates", "revoke"), Map.entry("ListAuditEvents", "audit"),
      Map.entry("EndTry", "try end"), Map.entry("RegisterAsset", "asset register"),
      Map.entry("RespondHitl", "hitl respond"));

  @TempDir Path temp;

  private record Result(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  private Result admin(TaskCredentials operator, String... args) throws Exception {
    return adminAt(env.dev().executionTarget(), operator, args);
  }

  private Result adminAt(String target, TaskCredentials operator, String... args) throws Exception {
    Path cert = temp.resolve("operator.pem");
    Path key = temp.resolve("operator-key.pem");
    Path bundle = temp.resolve("bundle.pem");
    Files.writeString(cert, Pem.certificates(operator.chain()));
    Files.writeString(key, Pem.privateKey(operator.privateKey()));
    Files.writeString(bundle, Pem.certificates(env.supervisorConfig().trustRoots()));
    List<String> all = new ArrayList<>(List.of("--target", target, "--trust-bundle",
        bundle.toString(), "--cert", cert.toString(), "--key", key.toString()));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  /** {@code taskcert-admin} at {@code target} with this certificate chain, key and trust bundle. */
  private Result adminWith(String target, List<X509Certificate> chain, PrivateKey key, List<X509Certificate> bundle,
      String... args) throws Exception {
    Path cert = temp.resolve("given.pem");
    Path keyFile = temp.resolve("given-key.pem");
    Path bundleFile = temp.resolve("given-bundle.pem");
    Files.writeString(cert, Pem.certificates(chain));
    Files.writeString(keyFile, Pem.privateKey(key));
    Files.writeString(bundleFile, Pem.certificates(bundle));
    List<String> all = new ArrayList<>(List.of("--target", target, "--trust-bundle", bundleFile.toString(),
        "--cert", cert.toString(), "--key", keyFile.toString()));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  private Result admin(String... args) throws Exception {
    return admin(env.credentialsFor(new AdminIdentity("ops")), args);
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = AdminCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void everyAdminRpcHasACommandThatAnswersHelp() {
    Set<String> rpcs = Stream.of(AdminGrpc.getServiceDescriptor(), AssetAdminGrpc.getServiceDescriptor(),
            HitlAdminGrpc.getServiceDescriptor()).flatMap(service -> service.getMethods().stream())
        .map(MethodDescriptor::getBareMethodName).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(rpcs, new TreeSet<>(COMMAND_OF_RPC.keySet()));
    for (String command : COMMAND_OF_RPC.values()) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.add("--help");
      Result help = run(args.toArray(String[]::new));
      assertEquals(0, help.exit(), command + ": " + help.err());
      assertTrue(help.out().startsWith("Usage: taskcert-admin " + command), help.out());
    }
  }

  @Test
  void setsUpATeamFromNothingAndQueuesATryWhoseTokenFileEnrolls() throws Exception {
    assertEquals("yes", field(admin("team", "register", "cli-team"), "created"));
    assertEquals(0, admin("bundle", "register", "cli-bundle", "--team", "cli-team").exit());
    Result dag = admin("dag", "register", "cli_dag", "--bundle", "cli-bundle", "--declare-variable", "cli_*",
        "--declare-connection", "cli_db", "--xcom-read-scope", "same-run");
    assertEquals(0, dag.exit(), dag.err());
    assertEquals(0, admin("run", "create", "cli_dag", "manual__cli", "--conf", "{\"k\": 1}",
        "--logical-date", "2026-11-29T00:00:00Z").exit());
    assertEquals(0, admin("variable", "set", "cli_setting", "--value", "on", "--team", "cli-team").exit());
    Path password = temp.resolve("password");
    Files.writeString(password, "db-secret\n");
    Result connection = admin("connection", "set", "cli_db", "--type", "postgres", "--host", "db", "--port", "5432",
        "--login", "etl", "--password-file", password.toString(), "--team", "cli-team");
    assertEquals(0, connection.exit(), connection.err());
    assertFalse(connection.out().contains("db-secret"), connection.out());

    Path tokenFile = temp.resolve("try.token");
    Result queued = admin("--json", "try", "queue", "cli_dag", "manual__cli", "extract", "--token-file",
        tokenFile.toString(), "--max-tries", "2");
    assertEquals(0, queued.exit(), queued.err());
    assertEquals("", queued.json().get("enrollmentToken").asText(), "the token is only in the file");
    assertEquals(1, queued.json().get("tryNumber").asInt());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), Files.readString(tokenFile).strip(),
        new SecureRandom())) {
      assertEquals(queued.json().get("spiffeId").asText(), session.credentials().spiffeId());
      session.client().startTask("worker-1", 4242, "airflow");
      assertEquals("on", session.client().getVariable("cli_setting").value());
      assertEquals("db-secret", session.client().getConnection("cli_db").password());
    }
    Result again = admin("try", "queue", "cli_dag", "manual__cli", "extract", "--token-file", tokenFile.toString());
    assertEquals(1, again.exit());
    assertTrue(again.err().startsWith("error: --token-file " + tokenFile + " already exists"), again.err());

    assertEquals(0, admin("run", "set-state", "cli_dag", "manual__cli", "success").exit());
    assertEquals("yes", field(admin("variable", "delete", "cli_setting"), "deleted"));
    assertEquals("no, it did not exist", field(admin("variable", "delete", "cli_setting"), "deleted"));
    assertEquals("yes", field(admin("connection", "delete", "cli_db"), "deleted"));
  }

  @Test
  void resumesADeferredTryAsTheSameTryWithANewToken() throws Exception {
    String token = env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "cli_deferred", -1, 1, null)
        .enrollmentToken();
    String spiffeId;
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom())) {
      spiffeId = session.credentials().spiffeId();
      Result early = admin("try", "resume", spiffeId);
      assertEquals(1, early.exit());
      assertTrue(early.err().startsWith("error: FAILED_PRECONDITION: "), early.err());
      session.client().startTask("worker-1", 4242, "airflow");
      session.client().deferTask(new dev.taskcert.supervisor.client.Trigger("t.Trigger", "{}", "execute_complete",
          "{\"n\": 1}", java.util.Optional.empty()));
    }
    Path tokenFile = temp.resolve("resumed.token");
    Result resumed = admin("--json", "try", "resume", spiffeId, "--token-file", tokenFile.toString());
    assertEquals(0, resumed.exit(), resumed.err());
    assertEquals(2, resumed.json().get("executionGeneration").asInt());
    assertEquals(1, resumed.json().get("tryNumber").asInt());
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), Files.readString(tokenFile).strip(),
        new SecureRandom())) {
      var started = session.client().startTask("worker-1", 4242, "airflow");
      assertEquals(1, started.tryNumber());
      assertEquals(java.util.Optional.of("execute_complete"), started.context().nextMethod());
    }
  }

  @Test
  void registersADagWithItsDeclaredTasks() throws Exception {
    Result dag = admin("dag", "register", "cli_pipeline", "--bundle", "analytics-dags",
        "--task", "extract=transform,report", "--task", "transform=load", "--task", "load", "--task", "report");
    assertEquals(0, dag.exit(), dag.err());
    assertTrue(dag.out().contains("extract=transform,report"), dag.out());
    assertEquals(4, env.count("select count(*) from dag_task where dag_id = 'cli_pipeline'"));
    assertEquals(1, env.count("select count(*) from dag_task where dag_id = 'cli_pipeline' and task_id = 'extract' "
        + "and downstream_task_ids = array['transform', 'report']"));
    Result cyclic = admin("dag", "register", "cli_pipeline", "--bundle", "analytics-dags",
        "--task", "a=b", "--task", "b=a");
    assertEquals(1, cyclic.exit(), cyclic.err());
    assertTrue(cyclic.err().startsWith("error: INVALID_ARGUMENT: "), cyclic.err());
    assertEquals(4, env.count("select count(*) from dag_task where dag_id = 'cli_pipeline'"));
  }

  @Test
  void registersADagReadableAndTriggerableByOtherTeams() throws Exception {
    Result dag = admin("dag", "register", "cli_shared", "--bundle", "payments-dags", "--readable-by", "analytics",
        "--triggerable-by", "analytics", "--paused");
    assertEquals(0, dag.exit(), dag.err());
    assertEquals("analytics", field(dag, "readable by"));
    assertEquals(2, env.count("select count(*) from dag_team_access where dag_id = 'cli_shared' and team_name = 'analytics'"));
    assertEquals(1, env.count("select count(*) from dag where dag_id = 'cli_shared' and is_paused"));
    Result unknown = admin("dag", "register", "cli_shared", "--bundle", "payments-dags", "--readable-by", "nobody");
    assertEquals(1, unknown.exit(), unknown.err());
    assertTrue(unknown.err().startsWith("error: NOT_FOUND: team 'nobody' does not exist"), unknown.err());
    assertEquals(2, env.count("select count(*) from dag_team_access where dag_id = 'cli_shared'"));
    assertEquals(0, admin("dag", "register", "cli_shared", "--bundle", "payments-dags").exit());
    assertEquals(0, env.count("select count(*) from dag_team_access where dag_id = 'cli_shared'"));
  }

  @Test
  void readsTheAuditLogWithFilters() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      assertEquals(Status.Code.NOT_FOUND, codeOf(() -> task.variables().getVariable(
          GetVariableRequest.newBuilder().setKey(DemoData.PAYMENTS.ownVariable()).build())));
      Result table = admin("audit", "--kind", "deny", "--resource", "variable:", "--limit", "1");
      assertEquals(0, table.exit(), table.err());
      List<String> lines = table.out().lines().toList();
      assertEquals(2, lines.size(), table.out());
      assertTrue(lines.get(0).startsWith("ID"), lines.get(0));
      assertTrue(lines.get(1).contains(task.spiffeId()) && lines.get(1).contains("payments_api_url"), lines.get(1));
      Result json = admin("--json", "audit", "--kind", "deny", "--limit", "1");
      assertEquals("deny", JSON.readTree(json.out().lines().findFirst().orElseThrow()).get("kind").asText());
    }
  }

  @Test
  void aLineBreakATaskSentStaysInsideItsAuditRow() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      // Another team's XCom, named with a task id that tries to start a row of its own.
      String forged = "x\n42     2026-01-01T00:00:00Z  admin  forged";
      dev.taskcert.proto.execution.v1.XComRef ref = dev.taskcert.proto.execution.v1.XComRef.newBuilder()
          .setDagId(DemoData.PAYMENTS.dagId()).setRunId(DemoData.RUN_ID).setTaskId(forged).setKey("k").build();
      assertEquals(Status.Code.NOT_FOUND, codeOf(() -> task.xcoms().getXCom(
          dev.taskcert.proto.execution.v1.GetXComRequest.newBuilder().setRef(ref).build())));
      Result table = admin("audit", "--kind", "deny", "--resource", "xcom:", "--limit", "1");
      assertEquals(0, table.exit(), table.err());
      List<String> lines = table.out().lines().toList();
      assertEquals(2, lines.size(), "the header and one row: " + table.out());
      assertTrue(lines.get(1).contains("x\\n42"), lines.get(1));
    }
  }

  @Test
  void revokesATaskTryByItsSpiffeId() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
      task.variables().getVariable(read);
      Result result = admin("revoke", "--task-try", task.spiffeId(), "--reason", "worker host compromised");
      assertEquals(0, result.exit(), result.err());
      assertTrue(result.out().contains(task.session().credentials().serialHex()), result.out());
      assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> task.variables().getVariable(read)));
    }
  }

  @Test
  void endsATaskTryByItsSpiffeIdAndItsKeyStopsWorking() throws Exception {
    try (TestTask task = env.startTask(env.dev().taskQueue()
        .queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "ended_from_the_cli", -1, 1, null))) {
      GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
      task.variables().getVariable(read);
      Result result = admin("try", "end", task.spiffeId(), "--reason", "worker host compromised");
      assertEquals(0, result.exit(), result.err());
      assertTrue(result.out().contains(task.session().credentials().serialHex()), result.out());
      assertTrue(result.out().contains("running"), result.out());
      assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> task.variables().getVariable(read)));

      Result again = admin("try", "end", task.spiffeId());
      assertEquals(1, again.exit());
      assertTrue(again.err().startsWith("error: FAILED_PRECONDITION: "), again.err());
      Result badState = admin("try", "end", task.spiffeId(), "--state", "running");
      assertEquals(2, badState.exit());
    }
  }

  @Test
  void revokesAnOperatorCertificateTheServerNeverIssued() throws Exception {
    TaskCredentials compromised = env.credentialsFor(new AdminIdentity("mallory"));
    assertEquals(0, admin(compromised, "revoke", "--serial", "1").exit()); // works before revocation
    Result result = admin("revoke", "--serial", compromised.serialHex());
    assertEquals(0, result.exit(), result.err());
    Result refused = admin(compromised, "revoke", "--serial", "2");
    assertEquals(1, refused.exit());
    assertTrue(refused.err().startsWith("error: UNAUTHENTICATED: "), refused.err());
  }

  @Test
  void refusesATaskCertificateAsOperator() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      Result result = admin(env.credentialsFor(env.instance(SpiffeIdCodec.class).parse(task.spiffeId())),
          "team", "register", "planted");
      assertEquals(1, result.exit());
      assertTrue(result.err().startsWith("error: PERMISSION_DENIED: "), result.err());
      assertEquals(1, result.err().lines().count(), result.err());
    }
  }

  @Test
  void answersUsageErrorsWithOneLineAndStatusTwo() throws Exception {
    for (Result usage : List.of(admin("revoke"), run("team", "register", "x"), admin("team"),
        admin("dag", "register", "d", "--bundle", "b", "--xcom-read-scope", "nearby"), admin("no-such-command"),
        admin("dag", "register", "d", "--bundle", "b", "--max-try-duration", "PT0S"),
        admin("try", "queue", "d", "r", "t", "--token-ttl", "P-1D"))) {
      assertEquals(2, usage.exit(), usage.err());
      assertEquals(1, usage.err().lines().count(), usage.err());
      assertTrue(usage.err().startsWith("error: "), usage.err());
    }
    assertTrue(run("team", "register", "x").err().contains("give --target or set TASKCERT_ADMIN_TARGET"));
    assertTrue(admin("try", "queue", "d", "r", "t", "--token-ttl", "P-1D").err().contains("got P-1D"));
  }

  @Test
  void answersUnusableFilesAndUnreachableServersWithOneLineAndStatusOne() throws Exception {
    Result missing = run("--target", env.dev().executionTarget(), "--trust-bundle", "/nonexistent/bundle.pem",
        "--cert", "/nonexistent/c.pem", "--key", "/nonexistent/k.pem", "team", "register", "x");
    assertEquals(1, missing.exit());
    assertEquals("error: --cert /nonexistent/c.pem: no such file", missing.err().strip());
    int closed = FreePorts.next();
    Result unreachable = adminAt("127.0.0.1:" + closed, env.credentialsFor(new AdminIdentity("ops")),
        "--timeout", "5", "team", "register", "x");
    assertOneLineFailure(unreachable, "error: cannot connect to 127.0.0.1:" + closed + ": connection refused");
    Result badTarget = admin("--target", "127.0.0.1:1,nonsense", "team", "register", "x");
    assertEquals(2, badTarget.exit(), badTarget.err());
    assertEquals(1, badTarget.err().lines().count(), badTarget.err());
  }

  @Test
  void namesTheCauseOfAFailedTlsHandshakeInOneLine() throws Exception {
    TaskCredentials ops = env.credentialsFor(new AdminIdentity("ops"));
    String target = env.dev().executionTarget();
    SecureRandom random = new SecureRandom();
    CaHierarchy foreign = CaHierarchy.create(DevEnvironment.TRUST_DOMAIN, KeyAlgorithm.EC_P256, env.clock.instant(),
        random);

    Result untrustedServer = adminWith(target, ops.chain(), ops.privateKey(), List.of(foreign.root()),
        "team", "register", "x");
    assertOneLineFailure(untrustedServer, "error: TLS handshake with " + target + " failed: the server's certificate"
        + " is not trusted by --trust-bundle " + temp.resolve("given-bundle.pem"));

    // The same identity, issued by a CA the server does not trust.
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    IssuedCertificate forged = new CertificateIssuer(foreign.intermediate(), new SpiffeIdCodec(DevEnvironment.TRUST_DOMAIN),
        IssuancePolicy.DEFAULT, random).issueAdmin(keys.getPublic(), new AdminIdentity("ops"), env.clock.instant(),
        Duration.ofHours(1));
    Result untrustedClient = adminWith(target, forged.chain(), keys.getPrivate(), env.supervisorConfig().trustRoots(),
        "team", "register", "x");
    assertOneLineFailure(untrustedClient, "error: TLS handshake with " + target + " failed: the server refused our"
        + " client certificate (--cert " + temp.resolve("given.pem") + "): not issued by a CA it trusts, expired or"
        + " distrusted (TLS alert ");

    Result mismatched = adminWith(target, ops.chain(), keys.getPrivate(), env.supervisorConfig().trustRoots(),
        "team", "register", "x");
    assertOneLineFailure(mismatched, "error: --key " + temp.resolve("given-key.pem") + " is not the private key of the"
        + " certificate in --cert " + temp.resolve("given.pem"));
  }

  @Test
  void keepsGrpcWarningsOffTheTerminal() throws Exception {
    assertEquals(0, admin("team", "register", "analytics").exit());
    Logger grpc = Logger.getLogger("io.grpc.internal.ManagedChannelImpl");
    assertFalse(grpc.isLoggable(Level.WARNING), "a failed name resolution would print its stack trace");
    assertTrue(grpc.isLoggable(Level.SEVERE));
  }

  private static void assertOneLineFailure(Result result, String expectedStart) {
    assertEquals(1, result.exit(), result.err());
    assertEquals(1, result.err().lines().count(), result.err());
    assertTrue(result.err().startsWith(expectedStart), result.err());
  }

  @Test
  void answersAHitlQuestionForAHuman() throws Exception {
    String taskId = "cli_approval_" + System.nanoTime();
    try (TestTask task = env.startTask(env.dev().taskQueue()
        .queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1, 1, null))) {
      Result none = admin("hitl", "respond", DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId,
          "--user", "alice", "--chosen-option", "approve");
      assertOneLineFailure(none, "error: NOT_FOUND: ");
      task.hitl().createHitlDetail(CreateHitlDetailRequest.newBuilder().addOptions("approve").addOptions("reject")
          .setSubject("Ship it?").build());

      Result answered = admin("hitl", "respond", DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId,
          "--user", "alice", "--chosen-option", "approve", "--params-input", "{\"reason\": \"looks good\"}");
      assertEquals("alice", field(answered, "responded by"));
      assertEquals("approve", field(answered, "chosen options"));
      var read = task.hitl().getHitlDetail(GetHitlDetailRequest.getDefaultInstance()).getAnswer();
      assertEquals("alice", read.getRespondedBy());
      assertEquals(List.of("approve"), read.getChosenOptionsList());
      assertTrue(read.getParamsInputJson().contains("looks good"), read.getParamsInputJson());

      Result again = admin("--json", "hitl", "respond", DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId,
          "--user", "bob", "--chosen-option", "reject");
      assertOneLineFailure(again, "error: FAILED_PRECONDITION: ");
      assertEquals(2, admin("hitl", "respond", DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId,
          "--chosen-option", "reject").exit(), "--user is required");
    }
  }

  @Test
  void printsAnswerAsJsonForAHitlResponse() throws Exception {
    String taskId = "cli_approval_json_" + System.nanoTime();
    try (TestTask task = env.startTask(env.dev().taskQueue()
        .queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1, 1, null))) {
      task.hitl().createHitlDetail(CreateHitlDetailRequest.newBuilder().addOptions("a").addOptions("b")
          .setMultiple(true).setSubject("Which?").build());
      Result json = admin("--json", "hitl", "respond", DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId,
          "--user", "carol", "--chosen-option", "a", "--chosen-option", "b");
      assertEquals(0, json.exit(), json.err());
      JsonNode answer = json.json().get("answer");
      assertTrue(answer.get("responseReceived").asBoolean(), json.out());
      assertEquals("carol", answer.get("respondedBy").asText());
      assertEquals(2, answer.get("chosenOptions").size());
    }
  }

  @Test
  void printsWhatWasStoredAsJsonWhenTheAnswerIsEmpty() throws Exception {
    Path password = temp.resolve("json-password");
    Files.writeString(password, "json-secret\n");
    Result connection = admin("--json", "connection", "set", "cli_json_db", "--type", "postgres", "--host", "db",
        "--port", "5432", "--login", "etl", "--password-file", password.toString(), "--team", "analytics");
    assertEquals(0, connection.exit(), connection.err());
    JsonNode stored = connection.json();
    assertEquals("cli_json_db", stored.get("connId").asText());
    assertEquals("postgres", stored.get("connType").asText());
    assertEquals(5432, stored.get("port").asInt());
    assertEquals("analytics", stored.get("team").asText());
    assertTrue(stored.get("passwordSet").asBoolean(), connection.out());
    assertFalse(stored.has("password"), connection.out());
    assertFalse(connection.out().contains("json-secret"), connection.out());

    Result dag = admin("--json", "dag", "register", "cli_json_dag", "--bundle", "analytics-dags",
        "--declare-variable", "cli_*", "--task", "a=b", "--task", "b", "--readable-by", "payments");
    assertEquals(0, dag.exit(), dag.err());
    assertEquals("cli_json_dag", dag.json().get("dagId").asText());
    assertEquals("analytics-dags", dag.json().get("bundle").asText());
    assertTrue(dag.json().get("declaresResources").asBoolean());
    assertEquals("cli_*", dag.json().get("allowedVariablePatterns").get(0).asText());
    assertEquals("b", dag.json().get("tasks").get(0).get("downstreamTaskIds").get(0).asText());
    assertEquals("payments", dag.json().get("readableByTeams").get(0).asText());

    Result variable = admin("--json", "variable", "set", "cli_json_variable", "--value", "hidden", "--team", "analytics");
    assertEquals(0, variable.exit(), variable.err());
    assertEquals("cli_json_variable", variable.json().get("key").asText());
    assertTrue(variable.json().get("valueSet").asBoolean());
    assertFalse(variable.out().contains("hidden"), variable.out());
    for (Result empty : List.of(connection, dag, variable,
        admin("--json", "bundle", "register", "cli-json-bundle", "--team", "analytics"),
        admin("--json", "run", "create", "cli_json_dag", "manual__json"))) {
      assertEquals(0, empty.exit(), empty.err());
      assertTrue(empty.json().size() > 1, "what was stored, not {}: " + empty.out());
    }
  }

  @Test
  void refusesAnUnknownAuditKindAndListsEveryKind() throws Exception {
    Result bogus = admin("audit", "--kind", "bogus");
    assertEquals(2, bogus.exit(), bogus.err());
    assertEquals(1, bogus.err().lines().count(), bogus.err());
    assertTrue(bogus.err().contains("'bogus' is not an audit kind; the kinds are " + String.join(", ", AuditKind.labels())),
        bogus.err());
    String help = run("audit", "--help").out();
    assertTrue(help.replaceAll("\\s+", " ").contains(String.join(", ", AuditKind.labels())), help);
    for (String kind : List.of("end", "trigger", "post_terminal")) {
      assertTrue(help.contains(kind), kind + " in " + help);
    }
    Result end = admin("audit", "--kind", "end", "--limit", "1");
    assertEquals(0, end.exit(), end.err());
  }

  @Test
  void registersAnAssetSharedWithAnotherTeam() throws Exception {
    String name = "cli_asset_" + System.nanoTime();
    assertEquals("yes", field(admin("asset", "register", name, "--uri", "s3://" + name, "--team", "payments",
        "--share-with", "analytics", "--extra", "{\"format\": \"parquet\"}"), "created"));
    assertEquals(1, env.count("select count(*) from asset a join team t on t.id = a.team_id where a.name = '" + name
        + "' and t.name = 'payments' and a.shared_with_teams = '{analytics}' and a.extra ->> 'format' = 'parquet'"));
    assertEquals("no, it was updated", field(admin("asset", "register", name, "--uri", "s3://" + name), "created"));
    Result refused = admin("asset", "register", name, "--uri", "s3://" + name, "--team", "no-such-team");
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("NOT_FOUND"), refused.err());
  }

  /** The value of a {@code key: value} line of a table-form answer. */
  private static String field(Result result, String key) {
    assertEquals(0, result.exit(), result.err());
    return result.out().lines().filter(line -> line.startsWith(key + ":")).findFirst()
        .map(line -> line.substring(key.length() + 1).strip()).orElseThrow(() -> new AssertionError(result.out()));
  }
}
