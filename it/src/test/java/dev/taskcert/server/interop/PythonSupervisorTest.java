package dev.taskcert.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.RequiredTools;
import dev.taskcert.server.testing.TestEnvironment;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Python example supervisor ({@code clients/python/taskcert_supervisor.py}) against a real
 * server, so the contract is proven usable from a second language: stubs generated from the
 * {@code .proto} files, a CSR built by the {@code cryptography} package, and mutual TLS negotiated
 * by grpc's C core against the Java server.
 *
 * <p>The interpreter is the first of {@code /usr/bin/python3} and {@code python3} on the PATH that
 * can import {@code grpc}, {@code grpc_tools}, {@code google.protobuf} and {@code cryptography}; the
 * system property {@value #PYTHON_PROPERTY} names one to use instead. Without a suitable interpreter
 * the test is skipped with what to install, except in CI, where it fails ({@link RequiredTools}).
 */
class PythonSupervisorTest {
  /** System property naming the only interpreter to try, instead of the default lookup. */
  static final String PYTHON_PROPERTY = "taskcert.test.python";

  private static final List<String> DEFAULT_INTERPRETERS = List.of("/usr/bin/python3", "python3");
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
  private static final Path SCRIPT = Path.of("clients", "python", "taskcert_supervisor.py");
  private static final String INSTALL_HINT =
      "Debian/Ubuntu: apt-get install -y python3-grpcio python3-grpc-tools python3-cryptography"
          + " python3-protobuf python3-pkg-resources (or run .ci/install-test-deps as root);"
          + " elsewhere: python3 -m pip install grpcio grpcio-tools protobuf cryptography";
  /** Prints the modules that cannot be imported, comma-separated; exits 0 only if none is missing. */
  private static final String PROBE = String.join("\n",
      "import importlib, sys",
      "missing = []",
      "for name in ('grpc', 'grpc_tools.protoc', 'google.protobuf', 'cryptography.x509'):",
      "    try:",
      "        importlib.import_module(name)",
      "    except Exception:",
      "        missing.append(name)",
      "print(', '.join(missing))",
      "sys.exit(1 if missing else 0)");

  @Test
  void pythonSupervisorReadsOwnAndGlobalVariablesIsDeniedAnotherTeamsAndFinishesItsTry(@TempDir Path work)
      throws Exception {
    String python = suitablePythonOrSkip(work);
    Path script = locateScript();
    try (TestEnvironment env = new TestEnvironment().started()) {
      QueuedTry queued = env.queue(DemoData.ANALYTICS);
      Path bundle = work.resolve("bundle.pem");
      Files.writeString(bundle, Pem.certificates(env.dev().ca().loadTrustBundle().roots()), StandardCharsets.US_ASCII);

      Run run = Run.of(work, RUN_TIMEOUT, List.of(
          python, script.toString(),
          "--enrollment-target", env.dev().enrollmentTarget(),
          "--execution-target", env.dev().executionTarget(),
          "--trust-bundle", bundle.toString(),
          "--token", queued.enrollmentToken(),
          "--variable", DemoData.ANALYTICS.ownVariable(),
          "--variable", DemoData.GLOBAL_VARIABLE,
          "--variable", DemoData.PAYMENTS.ownVariable()));
      System.out.println(run);

      assertFalse(run.timedOut(), "the example must finish within " + RUN_TIMEOUT.toSeconds() + " s\n" + run);
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

  /** The example script, found by walking up from the working directory to the repository root. */
  private static Path locateScript() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(SCRIPT);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return fail(SCRIPT + " not found above " + Path.of("").toAbsolutePath());
  }

  /** The first interpreter that can import what the example needs; skips the test if none can. */
  private static String suitablePythonOrSkip(Path work) throws InterruptedException {
    String override = System.getProperty(PYTHON_PROPERTY, "").trim();
    List<String> candidates = override.isEmpty() ? DEFAULT_INTERPRETERS : List.of(override);
    List<String> problems = new ArrayList<>();
    for (String candidate : candidates) {
      Run probe;
      try {
        probe = Run.of(work, PROBE_TIMEOUT, List.of(candidate, "-c", PROBE));
      } catch (IOException e) {
        problems.add(candidate + ": not found or not executable");
        continue;
      }
      if (probe.timedOut()) {
        problems.add(candidate + ": did not answer within " + PROBE_TIMEOUT.toSeconds() + " s");
      } else if (probe.exitCode() == 0) {
        return candidate;
      } else {
        String missing = probe.stdout().strip();
        problems.add(candidate + ": " + (missing.isEmpty()
            ? "exited with " + probe.exitCode() + " " + probe.stderr().strip()
            : "cannot import " + missing));
      }
    }
    RequiredTools.require(false, "No Python 3 interpreter can run the example supervisor ("
        + String.join("; ", problems) + "). Install the modules: " + INSTALL_HINT);
    throw new AssertionError("unreachable");
  }

  /** A child process run to its end (or killed at its deadline) and what it printed. */
  private record Run(int exitCode, boolean timedOut, String stdout, String stderr) {
    /** Runs {@code command}, destroying it if it outlives {@code timeout}. */
    static Run of(Path work, Duration timeout, List<String> command) throws IOException, InterruptedException {
      Path out = Files.createTempFile(work, "stdout", ".txt");
      Path err = Files.createTempFile(work, "stderr", ".txt");
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(work.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      Map<String, String> environment = builder.environment();
      // Loopback only: a proxy from the environment must not see the calls.
      for (String name : List.of("http_proxy", "https_proxy", "all_proxy", "grpc_proxy",
          "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")) {
        environment.remove(name);
      }
      environment.put("PYTHONDONTWRITEBYTECODE", "1");
      environment.put("PYTHONUNBUFFERED", "1");
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return new Run(-1, true, read(out), read(err));
      }
      return new Run(process.exitValue(), false, read(out), read(err));
    }

    private static File nullDevice() {
      return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String read(Path file) throws IOException {
      return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return (timedOut ? "killed at its deadline" : "exit code " + exitCode) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }
}
