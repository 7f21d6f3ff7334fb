package dev.taskcert.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.pem.Pem;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.catalog.Catalog;
import dev.taskcert.server.catalog.DagRegistration;
import dev.taskcert.dev.DevEnvironment;
import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.server.testing.FreePorts;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.TaskSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code taskcert-supervisor run} command, run in-process against a real server. */
class SupervisorCliTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();
  @TempDir static Path directory;
  private static Path bundle;

  @BeforeAll
  static void start() throws Exception {
    bundle = directory.resolve("bundle.pem");
    Files.writeString(bundle, Pem.certificates(env.supervisorConfig().trustRoots()), StandardCharsets.US_ASCII);
  }

  /** What one run printed and returned. */
  private record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  /** Queues a try of {@code taskId} in the analytics demo run and returns its enrollment token. */
  private static String queue(String taskId) {
    return env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1, 1, null).enrollmentToken();
  }

  private static Result run(String... arguments) {
    return runAt(env.dev().executionTarget(), env.dev().enrollmentTarget(), bundle, arguments);
  }

  private static Result runAt(String executionTarget, String enrollmentTarget, Path trustBundle, String... arguments) {
    List<String> args = new ArrayList<>(List.of("run",
        "--execution-target", executionTarget,
        "--enrollment-target", enrollmentTarget,
        "--trust-bundle", trustBundle.toString()));
    args.addAll(List.of(arguments));
    return execute(args.toArray(new String[0]));
  }

  private static Result execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = SupervisorCli.commandLine();
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    int exitCode = command.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  private static String stateOf(String taskId) throws Exception {
    for (String state : List.of("QUEUED", "RUNNING", "SUCCESS", "FAILED")) {
      if (env.count("select count(*) from task_instance where task_id = '" + taskId + "' and state = '" + state + "'") == 1) {
        return state;
      }
    }
    return "unknown";
  }

  @Test
  void aProducerPushesAnXComAndAConsumerOfTheSameRunPullsIt() throws Exception {
    Result producer = run("--token", queue("cli_producer"), "--push-xcom", "rows=42");
    assertEquals(0, producer.exitCode(), producer.toString());
    assertTrue(producer.out().contains("pushed XCom rows"), producer.toString());
    assertTrue(producer.out().contains("finished SUCCESS"), producer.toString());
    assertEquals("SUCCESS", stateOf("cli_producer"));

    Result consumer = run("--token", queue("cli_consumer"), "--pull-xcom", "cli_producer:rows");
    assertEquals(0, consumer.exitCode(), consumer.toString());
    assertTrue(consumer.out().contains("pulled XCom cli_producer:rows = 42"), consumer.toString());
    assertEquals("SUCCESS", stateOf("cli_consumer"));
  }

  @Test
  void runsWithEitherSignatureProviderAndRefusesAnyOther() throws Exception {
    for (String provider : List.of("native", "jdk")) {
      Result result = run("--token", queue("cli_crypto_" + provider), "--crypto-provider", provider);
      assertEquals(0, result.exitCode(), result.toString());
      assertTrue(result.out().contains("finished SUCCESS"), result.toString());
    }
    Result refused = run("--token", queue("cli_crypto_other"), "--crypto-provider", "openssl");
    assertEquals(2, refused.exitCode(), refused.toString());
    assertTrue(refused.err().contains("--crypto-provider must be native or jdk, got 'openssl'"), refused.toString());
  }

  @Test
  void readsVariablesWithTheTokenFromAFile() throws Exception {
    Path tokenFile = directory.resolve("token");
    Files.writeString(tokenFile, queue("cli_token_file") + "\n", StandardCharsets.US_ASCII);
    Result result = run("--token-file", tokenFile.toString(),
        "--variable", DemoData.ANALYTICS.ownVariable(), "--variable", DemoData.GLOBAL_VARIABLE);
    assertEquals(0, result.exitCode(), result.toString());
    assertTrue(result.out().contains("variable analytics_bucket = s3://analytics-raw-events  (team analytics)"),
        result.toString());
    assertTrue(result.out().contains("variable platform_environment = dev  (global)"), result.toString());
  }

  @Test
  void anUndeclaredVariableExitsWithThree() throws Exception {
    env.instance(Catalog.class).registerDag(new DagRegistration(
        "cli_declared", "analytics-dags", true, List.of(), List.of("analytics_*"), "TEAM"));
    env.instance(Catalog.class).createDagRun("cli_declared", "manual__1", Instant.parse("2026-11-25T00:00:00Z"), "manual");
    String token = env.dev().taskQueue().queue("cli_declared", "manual__1", "cli_nosy", -1, 1, null).enrollmentToken();
    Result result = run("--token", token,
        "--variable", DemoData.ANALYTICS.ownVariable(), "--variable", DemoData.GLOBAL_VARIABLE);
    assertEquals(3, result.exitCode(), result.toString());
    assertTrue(result.out().contains("variable platform_environment refused: PERMISSION_DENIED"), result.toString());
    assertTrue(result.out().contains("finished SUCCESS"), result.toString());
  }

  @Test
  void anotherTeamsVariableFailsExactlyLikeAnAbsentOne() throws Exception {
    Result result = run("--token", queue("cli_nosy_other"), "--variable", DemoData.PAYMENTS.ownVariable());
    assertEquals(1, result.exitCode(), result.toString());
    assertTrue(result.err().contains("error: NOT_FOUND: variable 'payments_api_url' not found"), result.toString());
    assertFalse(result.toString().contains("payments'"), "the owner is not named: " + result);
  }

  @Test
  void anAbsentVariableIsAFailureNotARefusal() throws Exception {
    Result result = run("--token", queue("cli_absent"), "--variable", "no_such_variable");
    assertEquals(1, result.exitCode(), result.toString());
    assertTrue(result.err().contains("error: NOT_FOUND"), result.toString());
    assertTrue(result.err().contains("finished FAILED"), result.toString());
    assertEquals(1, env.count("select count(*) from task_instance where task_id = 'cli_absent' and state = 'FAILED'"),
        "the try must not be left RUNNING");
  }

  @Test
  void badUsageExitsWithTwoAndLeavesTheTokenUnused() throws Exception {
    String token = queue("cli_bad_usage");
    Result result = run("--token", token, "--push-xcom", "norequals");
    assertEquals(2, result.exitCode(), result.toString());
    assertTrue(result.err().contains("--push-xcom needs KEY=JSON"), result.toString());
    assertEquals("", result.out());
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom())) {
      assertTrue(session.credentials().spiffeId().endsWith("/cli_bad_usage/-1/1"), session.credentials().spiffeId());
    }
  }

  @Test
  void unusableFilesAreNamedWithTheReason() throws Exception {
    Result token = run("--token-file", directory.resolve("none.token").toString());
    assertEquals(1, token.exitCode(), token.toString());
    assertEquals("error: --token-file " + directory.resolve("none.token") + ": no such file", token.err().strip());
    Result trust = runAt(env.dev().executionTarget(), env.dev().enrollmentTarget(), directory.resolve("none.pem"),
        "--token", "unused");
    assertEquals(1, trust.exitCode(), trust.toString());
    assertEquals("error: --trust-bundle " + directory.resolve("none.pem") + ": no such file", trust.err().strip());
  }

  @Test
  void connectionFailuresNameTheTargetAndTheCauseInOneLine() throws Exception {
    String token = queue("cli_unreachable");
    int closed = FreePorts.next();
    Result unreachable = runAt(env.dev().executionTarget(), "127.0.0.1:" + closed, bundle, "--token", token);
    assertEquals(1, unreachable.exitCode(), unreachable.toString());
    assertEquals("error: cannot connect to 127.0.0.1:" + closed + ": connection refused", unreachable.err().strip());

    Path foreign = directory.resolve("foreign-bundle.pem");
    Files.writeString(foreign, Pem.certificates(List.of(CaHierarchy.create(DevEnvironment.TRUST_DOMAIN,
        KeyAlgorithm.EC_P256, env.clock.instant(), new SecureRandom()).root())), StandardCharsets.US_ASCII);
    Result untrusted = runAt(env.dev().executionTarget(), env.dev().enrollmentTarget(), foreign, "--token", token);
    assertEquals(1, untrusted.exitCode(), untrusted.toString());
    assertEquals("error: TLS handshake with " + env.dev().enrollmentTarget() + " failed: the server's certificate is"
        + " not trusted by --trust-bundle " + foreign, untrusted.err().strip());

    // The token was never redeemed: it still enrolls.
    assertEquals(0, run("--token", token).exitCode());
  }

  @Test
  void usageErrorsAreOneLine() {
    for (Result usage : List.of(execute(), execute("walk"), run("--token", "t", "--token-file", "f"),
        run("--token", "t", "--pull-xcom", "nocolon"), run("--token", "t", "--heartbeat-interval", "PT0S"))) {
      assertEquals(2, usage.exitCode(), usage.toString());
      assertEquals(1, usage.err().lines().count(), usage.toString());
      assertTrue(usage.err().startsWith("error: "), usage.toString());
    }
    assertTrue(run("--token", "t", "--heartbeat-interval", "PT0S").err().contains("got PT0S"));
  }

  @Test
  void aUsedTokenExitsWithOneAndSaysWhy() throws Exception {
    String token = queue("cli_used");
    assertEquals(0, run("--token", token).exitCode());
    Result again = run("--token", token);
    assertEquals(1, again.exitCode(), again.toString());
    assertTrue(again.err().startsWith("error: UNAUTHENTICATED"), again.toString());
  }
}
