package dev.taskcert.server.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.taskcert.server.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract is one stub generators can trust: {@code buf lint} passes on every file (with the
 * exceptions buf.yaml explains), and {@code buf breaking} finds no difference from the baseline
 * (the contract as last released, proto/baseline/) other than the deliberate ones listed in
 * proto/baseline/accepted-breaks.txt. Runs the buf that .ci/install-buf installs, at its pinned
 * version.
 */
class ContractLintTest {
  private static final String MODULE = "proto/src/main/proto";
  private static final String BASELINE = "proto/baseline/taskcert-contract-v1.binpb";
  private static final Pattern JSON_FIELD = Pattern.compile("\"(path|type|message)\":\"((?:[^\"\\\\]|\\\\.)*)\"");

  private static Path root;
  private static Path buf;

  @BeforeAll
  static void findBuf() throws Exception {
    root = repositoryRoot();
    buf = root.resolve(".ci/tools/node_modules/.bin/buf");
    RequiredTools.require(Files.isExecutable(buf), "buf is not installed at " + root.relativize(buf)
        + ": run .ci/install-buf (needs npm)");
    Matcher pinned = Pattern.compile("(?m)^BUF_VERSION=(\\S+)$")
        .matcher(Files.readString(root.resolve(".ci/install-buf")));
    assertTrue(pinned.find(), ".ci/install-buf pins no BUF_VERSION");
    Result version = run(root, buf.toString(), "--version");
    assertEquals(pinned.group(1), version.output().strip(), "buf is not the version .ci/install-buf pins");
  }

  @Test
  void lintPassesOnTheWholeContract() throws Exception {
    Result lint = run(root, buf.toString(), "lint", MODULE);
    assertEquals(0, lint.exitCode(), "buf lint " + MODULE + ":\n" + lint.output());
    assertEquals("", lint.output().strip());
  }

  @Test
  void breakingFindsOnlyTheAcceptedDifferencesFromTheBaseline() throws Exception {
    Set<String> found = breaks(run(root, buf.toString(), "breaking", MODULE, "--against", BASELINE,
        "--error-format=json"), MODULE + "/");
    Set<String> accepted = accepted();
    Set<String> unexpected = new TreeSet<>(found);
    unexpected.removeAll(accepted);
    Set<String> stale = new TreeSet<>(accepted);
    stale.removeAll(found);
    assertEquals(Set.of(), unexpected, "breaking changes against " + BASELINE
        + " (list a deliberate one in proto/baseline/accepted-breaks.txt and docs/clients.md)");
    assertEquals(Set.of(), stale, "accepted-breaks.txt lists breaks buf no longer reports: remove them");
  }

  /** The check is not vacuous: deleting a field of a released message is reported against the baseline. */
  @Test
  void aDeletedFieldIsReportedAgainstTheBaseline(@TempDir Path work) throws Exception {
    Path copy = work.resolve("proto");
    try (Stream<Path> files = Files.walk(root.resolve(MODULE))) {
      for (Path file : files.toList()) {
        Path target = copy.resolve(root.resolve(MODULE).relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    Path variables = copy.resolve("taskcert/execution/v1/variables.proto");
    String text = Files.readString(variables);
    String withoutKey = text.replaceFirst("(?m)^  string key = 1;\\n", "");
    assertNotEquals(text, withoutKey, "the mutation found no field to delete");
    Files.writeString(variables, withoutKey);
    Result result = run(root, buf.toString(), "breaking", copy.toString(), "--against", BASELINE,
        "--error-format=json");
    assertNotEquals(0, result.exitCode(), result.output());
    assertTrue(breaks(result, copy + "/").stream().anyMatch(line -> line.startsWith("FIELD_NO_DELETE | "
        + "taskcert/execution/v1/variables.proto | ")), result.output());
  }

  /** buf's JSON findings as "RULE | file | message", the file relative to the module root. */
  private static Set<String> breaks(Result result, String modulePrefix) {
    Set<String> found = new TreeSet<>();
    for (String line : result.output().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String path = null;
      String type = null;
      String message = null;
      Matcher field = JSON_FIELD.matcher(line);
      while (field.find()) {
        String value = field.group(2).replace("\\\"", "\"").replace("\\\\", "\\");
        switch (field.group(1)) {
          case "path" -> path = value;
          case "type" -> type = value;
          default -> message = value;
        }
      }
      if (path == null || type == null || message == null) {
        fail("not a buf finding: " + line);
      }
      found.add(type + " | " + (path.startsWith(modulePrefix) ? path.substring(modulePrefix.length()) : path)
          + " | " + message);
    }
    if (found.isEmpty()) {
      assertEquals(0, result.exitCode(), result.output());
    }
    return found;
  }

  private static Set<String> accepted() throws IOException {
    Set<String> accepted = new TreeSet<>();
    for (String line : Files.readAllLines(root.resolve("proto/baseline/accepted-breaks.txt"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        accepted.add(line.strip());
      }
    }
    return accepted;
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Path directory, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail("timed out: " + String.join(" ", command));
    }
    return new Result(process.exitValue(), output);
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(MODULE).resolve("buf.yaml"))) {
        return dir;
      }
    }
    return fail(MODULE + "/buf.yaml not found above " + Path.of("").toAbsolutePath());
  }
}
