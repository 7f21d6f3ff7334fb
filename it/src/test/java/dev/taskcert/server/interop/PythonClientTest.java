package dev.taskcert.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.server.testing.PythonClient;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Python package's pytest suite ({@code clients/python/tests}) with the wheel built and
 * installed into a fresh virtual environment ({@link PythonClient}), against a real server: embedded
 * PostgreSQL, a fresh CA, TLS on loopback, task certificates that live {@value #LIFETIME_SECONDS}
 * seconds so every session rotates while the suite runs.
 *
 * <p>The suite reads where the server is from the JSON file named by {@code TASKCERT_TEST_CONFIG}:
 * the repository (for the documentation's examples), both targets, the trust bundle, an admin
 * certificate and key (to queue tries, end them and revoke their certificates through the Admin
 * API) and the demo teams' DAGs and run.
 */
class PythonClientTest {
  private static final int LIFETIME_SECONDS = 4;
  private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);

  @Test
  void pytestSuitePassesAgainstTheInstalledWheel(@TempDir Path work) throws Exception {
    PythonClient client = PythonClient.install(work);
    try (TestEnvironment env = new TestEnvironment(builder -> builder.issuance(
        new IssuancePolicy(Duration.ofSeconds(LIFETIME_SECONDS), Duration.ofSeconds(60)))).started()) {
      Path config = writeConfig(env, work, client.repository());
      Path scratch = Files.createDirectories(work.resolve("scratch"));
      PythonClient.Run run = PythonClient.Run.of(scratch, SUITE_TIMEOUT,
          Map.of("TASKCERT_TEST_CONFIG", config.toString(), "TMPDIR", scratch.toString()),
          List.of(client.python(), "-m", "pytest", "-p", "no:cacheprovider", "-ra", "-v",
              "--rootdir", client.testsDirectory().toString(), client.testsDirectory().toString()));
      System.out.println(run);
      assertFalse(run.timedOut(), "pytest must finish within " + SUITE_TIMEOUT.toMinutes() + " min\n" + run);
      assertEquals(0, run.exitCode(), "pytest failed\n" + run);
    }
  }

  private static Path writeConfig(TestEnvironment env, Path work, Path repository) throws Exception {
    Path bundle = work.resolve("bundle.pem");
    Files.writeString(bundle, Pem.certificates(env.dev().ca().loadTrustBundle().roots()), StandardCharsets.US_ASCII);
    TaskCredentials admin = env.adminCredentials("pytest-operator");
    Path adminCertificate = work.resolve("admin.pem");
    Files.writeString(adminCertificate, Pem.certificates(admin.chain()), StandardCharsets.US_ASCII);
    Path adminKey = work.resolve("admin-key.pem");
    Files.writeString(adminKey, Pem.privateKey(admin.privateKey()), StandardCharsets.US_ASCII);
    String json = "{\n"
        + "  \"repository\": " + quote(repository.toString()) + ",\n"
        + "  \"execution_target\": " + quote(env.dev().executionTarget()) + ",\n"
        + "  \"enrollment_target\": " + quote(env.dev().enrollmentTarget()) + ",\n"
        + "  \"trust_bundle\": " + quote(bundle.toString()) + ",\n"
        + "  \"admin_certificate\": " + quote(adminCertificate.toString()) + ",\n"
        + "  \"admin_key\": " + quote(adminKey.toString()) + ",\n"
        + "  \"certificate_lifetime_seconds\": " + LIFETIME_SECONDS + ",\n"
        + "  \"run_id\": " + quote(DemoData.RUN_ID) + ",\n"
        + "  \"global_variable\": " + quote(DemoData.GLOBAL_VARIABLE) + ",\n"
        + "  \"teams\": {\n"
        + team(DemoData.ANALYTICS) + ",\n"
        + team(DemoData.PAYMENTS) + "\n"
        + "  }\n"
        + "}\n";
    Path config = work.resolve("config.json");
    Files.writeString(config, json, StandardCharsets.UTF_8);
    return config;
  }

  private static String team(DemoData.DemoTask task) {
    return "    " + quote(task.team()) + ": {\"dag_id\": " + quote(task.dagId()) + ", \"variable\": "
        + quote(task.ownVariable()) + "}";
  }

  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
