package dev.taskcert.server.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a JVM of its own, for what must not share this JVM:
 * a PKCS#11 library reads its configuration from the environment once per process.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** What a finished child printed, and its exit status. */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Starts {@code mainClass args...} with {@code environment} added; output goes to {@code log}. */
  public static Process start(Map<String, String> environment, Path log, String mainClass, String... args)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command(mainClass, args)).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("TASKCERT_"));
    builder.environment().putAll(environment);
    return builder.start();
  }

  /** Runs {@code mainClass args...} to its end (at most three minutes) with {@code environment} added. */
  public static Result run(Map<String, String> environment, String mainClass, String... args) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command(mainClass, args));
    builder.environment().keySet().removeIf(key -> key.startsWith("TASKCERT_"));
    builder.environment().putAll(environment);
    Path out = Files.createTempFile("taskcert-child", ".out");
    Path err = Files.createTempFile("taskcert-child", ".err");
    try {
      Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(180, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(mainClass + " " + String.join(" ", args) + " did not finish");
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Like {@link #run} but the child must exit 0. */
  public static Result succeed(Map<String, String> environment, String mainClass, String... args) throws Exception {
    Result result = run(environment, mainClass, args);
    assertTrue(result.exit() == 0, mainClass + " " + String.join(" ", args) + "\n" + result);
    return result;
  }

  private static List<String> command(String mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    return command;
  }
}
