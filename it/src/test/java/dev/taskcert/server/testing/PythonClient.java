package dev.taskcert.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Python client package ({@code clients/python}) built and installed the way a user installs
 * it: a wheel built offline from a copy of the sources (its stubs generated from the contract at
 * build time), installed with {@code pip --no-index} into a fresh virtual environment created with
 * {@code --system-site-packages}, so its dependencies come from the system's packages and what the
 * tests import is the installed package, never the source tree.
 *
 * <p>The interpreter is {@code /usr/bin/python3} unless the system property {@value #PYTHON_PROPERTY}
 * names another. Without one that has what the build and the tests need, the calling test is
 * skipped with what to install, except in CI, where it fails ({@link RequiredTools}).
 */
public final class PythonClient {
  /** System property naming the interpreter to build and test with. */
  public static final String PYTHON_PROPERTY = "taskcert.test.python";

  private static final String DEFAULT_INTERPRETER = "/usr/bin/python3";
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
  private static final String INSTALL_HINT =
      "Debian/Ubuntu: apt-get install -y python3-grpcio python3-grpc-tools python3-cryptography python3-protobuf"
          + " python3-pkg-resources python3-pytest python3-venv python3-setuptools python3-wheel python3-pip"
          + " (or run .ci/install-test-deps as root)";
  /** Prints the modules that cannot be imported, comma-separated; exits 0 only if none is missing. */
  private static final String PROBE = String.join("\n",
      "import importlib, sys",
      "missing = []",
      "for name in ('grpc', 'grpc_tools.protoc', 'google.protobuf', 'cryptography.x509', 'setuptools', 'wheel',",
      "             'pip', 'pytest', 'venv', 'ensurepip'):",
      "    try:",
      "        importlib.import_module(name)",
      "    except Exception:",
      "        missing.append(name)",
      "print(', '.join(missing))",
      "sys.exit(1 if missing else 0)");

  private final Path repository;
  private final Path venv;

  private PythonClient(Path repository, Path venv) {
    this.repository = repository;
    this.venv = venv;
  }

  /** Builds the wheel and installs it into a new virtual environment under {@code work}. */
  public static PythonClient install(Path work) throws IOException, InterruptedException {
    String python = interpreterOrSkip(work);
    Path repository = repositoryRoot();
    Path sources = work.resolve("src-copy");
    copySources(repository.resolve("clients/python"), sources);
    Path dist = work.resolve("dist");
    Map<String, String> env = Map.of("TASKCERT_PROTO_DIR", repository.resolve("proto/src/main/proto").toString());
    check(Run.of(work, BUILD_TIMEOUT, env, List.of(python, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
        "--no-index", "--wheel-dir", dist.toString(), sources.toString())), "building the wheel");
    Path wheel;
    try (Stream<Path> files = Files.list(dist)) {
      wheel = files.filter(path -> path.getFileName().toString().endsWith(".whl")).findFirst()
          .orElseThrow(() -> new AssertionError("pip wheel wrote no .whl into " + dist));
    }
    Path venv = work.resolve("venv");
    check(Run.of(work, BUILD_TIMEOUT, Map.of(),
        List.of(python, "-m", "venv", "--system-site-packages", venv.toString())), "creating the virtual environment");
    // No --no-deps: pip must find grpcio, protobuf and cryptography among the system's packages.
    check(Run.of(work, BUILD_TIMEOUT, Map.of(), List.of(venv.resolve("bin/python").toString(), "-m", "pip", "install",
        "--no-index", "--disable-pip-version-check", wheel.toString())), "installing the wheel");
    return new PythonClient(repository, venv);
  }

  /** The virtual environment's interpreter, which imports the installed {@code taskcert}. */
  public String python() {
    return venv.resolve("bin/python").toString();
  }

  /** The package's pytest suite in the source tree. */
  public Path testsDirectory() {
    return repository.resolve("clients/python/tests");
  }

  /** The repository root. */
  public Path repository() {
    return repository;
  }

  private static void check(Run run, String what) {
    assertFalse(run.timedOut(), what + " timed out\n" + run);
    assertEquals(0, run.exitCode(), what + " failed\n" + run);
  }

  /** Copies the package's sources, leaving out earlier build output. */
  private static void copySources(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path relative = from.relativize(path);
        String first = relative.getNameCount() == 0 ? "" : relative.getName(0).toString();
        if (first.equals("build") || first.equals("dist") || first.endsWith(".egg-info")
            || relative.toString().contains("__pycache__")) {
          continue;
        }
        Path target = to.resolve(relative.toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }

  /** The repository root, found by walking up from the working directory. */
  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("clients/python/pyproject.toml"))) {
        return dir;
      }
    }
    return fail("clients/python/pyproject.toml not found above " + Path.of("").toAbsolutePath());
  }

  private static String interpreterOrSkip(Path work) throws InterruptedException {
    String override = System.getProperty(PYTHON_PROPERTY, "").trim();
    String candidate = override.isEmpty() ? DEFAULT_INTERPRETER : override;
    String problem;
    try {
      Run probe = Run.of(work, PROBE_TIMEOUT, Map.of(), List.of(candidate, "-c", PROBE));
      if (probe.exitCode() == 0) {
        return candidate;
      }
      problem = probe.timedOut() ? "did not answer within " + PROBE_TIMEOUT.toSeconds() + " s"
          : probe.stdout().isBlank() ? "exited with " + probe.exitCode() + " " + probe.stderr().strip()
          : "cannot import " + probe.stdout().strip();
    } catch (IOException e) {
      problem = "not found or not executable";
    }
    RequiredTools.require(false, "Python cannot build and test the taskcert package (" + candidate + ": " + problem
        + "). Install: " + INSTALL_HINT);
    throw new AssertionError("unreachable");
  }

  /** A child process run to its end (or killed at its deadline) and what it printed. */
  public record Run(int exitCode, boolean timedOut, String stdout, String stderr) {
    /** Runs {@code command} in {@code work} with {@code extraEnv}, destroying it if it outlives {@code timeout}. */
    public static Run of(Path work, Duration timeout, Map<String, String> extraEnv, List<String> command)
        throws IOException, InterruptedException {
      Path out = Files.createTempFile(work, "stdout", ".txt");
      Path err = Files.createTempFile(work, "stderr", ".txt");
      ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command))
          .directory(work.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      Map<String, String> environment = builder.environment();
      // Loopback only: a proxy from the environment must not see the calls.
      for (String name : List.of("http_proxy", "https_proxy", "all_proxy", "grpc_proxy", "no_proxy",
          "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "PYTHONPATH", "PYTHONHOME", "PIP_INDEX_URL")) {
        environment.remove(name);
      }
      environment.put("PYTHONDONTWRITEBYTECODE", "1");
      environment.put("PYTHONUNBUFFERED", "1");
      environment.put("PIP_NO_INPUT", "1");
      environment.putAll(new HashMap<>(extraEnv));
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return new Run(-1, true, read(out), read(err));
      }
      return new Run(process.exitValue(), false, read(out), read(err));
    }

    private static String read(Path file) throws IOException {
      return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return (timedOut ? "killed at its deadline" : "exit code " + exitCode) + "\n--- stdout\n" + stdout
          + "--- stderr\n" + stderr;
    }
  }
}
