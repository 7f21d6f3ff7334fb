package dev.taskcert.pki.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the openssl command line tool, so tests can check that OpenSSL agrees with us. */
public final class OpensslCli {
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");

  private OpensslCli() {}

  /**
   * Skips the calling test when there is no openssl binary, except in CI ({@code CI=true}), which
   * installs it first: there a missing binary fails the test, so a broken install cannot pass as a skip.
   */
  public static void assumeInstalled() {
    if (Files.isExecutable(OPENSSL)) {
      return;
    }
    String missing = "openssl CLI not installed at " + OPENSSL;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(missing + " (CI=true: .ci/run must install it)");
    }
    Assumptions.assumeTrue(false, missing + "; skipping the interoperability check");
  }

  /** What one openssl run printed and returned. */
  public record Result(int exitCode, String output) {}

  /** Runs openssl in {@code directory} with extra environment variables; stdout and stderr are merged. */
  public static Result run(Path directory, Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(OPENSSL.toString());
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("openssl did not finish: " + command);
    }
    return new Result(process.exitValue(), output);
  }

  public static Result run(Path directory, String... arguments) throws IOException, InterruptedException {
    return run(directory, Map.of(), arguments);
  }
}
