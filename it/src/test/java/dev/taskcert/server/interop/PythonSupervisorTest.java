package dev.taskcert.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.PythonClient;
import dev.taskcert.server.testing.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Python package's command ({@code taskcert-supervisor}, from the wheel built and installed
 * into a fresh virtual environment by {@link PythonClient}) against a real server, so the contract
 * is proven usable from a second language: stubs generated from the {@code .proto} files at build
 * time, a CSR built by the {@code cryptography} package, and mutual TLS negotiated by grpc's C core
 * against the Java server. Without Python and its packages the test is skipped with what to install,
 * except in CI, where it fails.
 */
class PythonSupervisorTest {
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  @Test
  void pythonSupervisorReadsOwnAndGlobalVariablesIsDeniedAnotherTeamsAndFinishesItsTry(@TempDir Path work)
      throws Exception {
    PythonClient client = PythonClient.install(work);
    Path command = Path.of(client.python()).resolveSibling("taskcert-supervisor");
    try (TestEnvironment env = new TestEnvironment().started()) {
      QueuedTry queued = env.queue(DemoData.ANALYTICS);
      Path bundle = work.resolve("bundle.pem");
      Files.writeString(bundle, Pem.certificates(env.dev().ca().loadTrustBundle().roots()), StandardCharsets.US_ASCII);
      Path token = work.resolve("token");
      Files.writeString(token, queued.enrollmentToken(), StandardCharsets.US_ASCII);

      PythonClient.Run run = PythonClient.Run.of(work, RUN_TIMEOUT, Map.of(), List.of(
          command.toString(),
          "--enrollment-target", env.dev().enrollmentTarget(),
          "--execution-target", env.dev().executionTarget(),
          "--trust-bundle", bundle.toString(),
          "--token-file", token.toString(),
          "--variable", DemoData.ANALYTICS.ownVariable(),
          "--variable", DemoData.GLOBAL_VARIABLE,
          "--variable", DemoData.PAYMENTS.ownVariable()));
      System.out.println(run);

      assertFalse(run.timedOut(), "the command must finish within " + RUN_TIMEOUT.toSeconds() + " s\n" + run);
      assertEquals(1, run.exitCode(), "another team's variable reads as absent, which is a failed read\n" + run);
      assertTrue(run.stdout().contains("enrolled as " + queued.spiffeId()), run.toString());
      assertTrue(run.stdout().contains(
          "variable " + DemoData.ANALYTICS.ownVariable() + " = s3://analytics-raw-events (team analytics)"),
          run.toString());
      assertTrue(run.stdout().contains("variable " + DemoData.GLOBAL_VARIABLE + " = dev (global)"), run.toString());
      assertTrue(run.stdout().contains(
          "variable " + DemoData.PAYMENTS.ownVariable() + " failed: NOT_FOUND: variable '"
              + DemoData.PAYMENTS.ownVariable() + "' not found"), run.toString());
      assertFalse(run.stdout().contains("ledger.payments.example"), "another team's value never reaches the caller");
      assertTrue(run.stdout().contains("finished SUCCESS"), run.toString());
      assertEquals(1, env.count(successfulTry(queued.identity())), "the try is SUCCESS in the database\n" + run);
    }
  }

  private static String successfulTry(TaskIdentity identity) {
    return "select count(*) from task_instance ti join dag_run r on r.id = ti.dag_run_id"
        + " where r.dag_id = '" + identity.dagId() + "' and r.run_id = '" + identity.runId() + "'"
        + " and ti.task_id = '" + identity.taskId() + "' and ti.map_index = " + identity.mapIndex()
        + " and ti.try_number = " + identity.tryNumber() + " and ti.state = 'SUCCESS'";
  }
}
