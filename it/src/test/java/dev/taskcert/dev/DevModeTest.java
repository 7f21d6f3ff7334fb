package dev.taskcert.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.TaskSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What dev mode hands a newcomer, and how it answers a bad option. */
class DevModeTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @TempDir Path data;

  @Test
  void writesAnAdminCertificateAndTokenFilesAndPrintsCommandsThatNeverCarryAToken() throws Exception {
    StringWriter printed = new StringWriter();
    new DevWelcome(env.dev(), data, new PrintWriter(printed), LaunchCommands.checkout("./taskcert")).print(2);
    String out = printed.toString();
    Path key = data.resolve("admin/dev-admin-key.pem");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertTrue(Files.readString(data.resolve("admin/dev-admin.pem")).contains("BEGIN CERTIFICATE"));
    List<Path> tokens;
    try (var files = Files.list(data.resolve("tokens"))) {
      tokens = files.sorted().toList();
    }
    assertEquals(2 * DemoData.TASKS.size(), tokens.size(), tokens.toString());
    for (Path token : tokens) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
      assertFalse(out.contains(Files.readString(token).strip()), "a token was printed: " + token);
    }
    assertTrue(out.contains("./taskcert supervisor run") && out.contains("--token-file "), out);
    assertTrue(out.contains("./taskcert admin try queue") && out.contains("TASKCERT_ADMIN_CERT=" + data.resolve("admin/dev-admin.pem")), out);
    assertTrue(out.contains("./taskcert admin audit") && out.contains("./taskcert dev demo"), out);
    // The printed token file enrolls.
    String first = out.lines().filter(line -> line.contains("./taskcert supervisor run")).findFirst().orElseThrow();
    Path file = Path.of(first.replaceFirst(".*--token-file (\\S+).*", "$1"));
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), Files.readString(file).strip(), new SecureRandom())) {
      assertTrue(session.credentials().spiffeId().contains("/ti/" + DemoData.TASKS.get(0).dagId() + "/"));
    }
  }

  @Test
  void launchedFromADistributionPrintsItsLaunchersNotTheCheckoutsScript() throws Exception {
    Path home = Files.createDirectories(data.resolve("taskcert-1.0"));
    Path bin = Files.createDirectories(home.resolve("bin"));
    Path elsewhere = Files.createDirectories(data.resolve("elsewhere"));
    StringWriter printed = new StringWriter();
    new DevWelcome(env.dev(), data, new PrintWriter(printed), LaunchCommands.of(null, home.toString(), elsewhere, "/usr/bin"))
        .print(1);
    String out = printed.toString();
    assertFalse(out.contains("./taskcert"), out);
    assertTrue(out.contains("  " + bin + "/taskcert-supervisor run --execution-target "), out);
    assertTrue(out.contains("  " + bin + "/taskcert-admin try queue ") && out.contains("  " + bin + "/taskcert-admin audit"), out);
    assertTrue(out.contains(bin + "/taskcert-dev demo"), out);
  }

  @Test
  void theCommandsAreNamedAsTheProcessWasLaunched() throws Exception {
    Path home = Files.createDirectories(data.resolve("taskcert-1.0"));
    Path bin = Files.createDirectories(home.resolve("bin"));
    Path elsewhere = Files.createDirectories(data.resolve("elsewhere"));
    // ./taskcert in a checkout says so, whatever the distribution under it.
    assertEquals("./taskcert supervisor", LaunchCommands.of("./taskcert", home.toString(), elsewhere, "").of("supervisor"));
    // bin/taskcert-dev: relative to the distribution when run from it, by name when on the PATH,
    // by its full path otherwise.
    assertEquals("bin/taskcert-admin", LaunchCommands.of(null, home.toString(), home, "/usr/bin").of("admin"));
    assertEquals("taskcert-1.0/bin/taskcert-dev", LaunchCommands.of(null, home.toString(), data, "/usr/bin").of("dev"));
    assertEquals("taskcert-supervisor",
        LaunchCommands.of(null, home.toString(), elsewhere, "/usr/bin:" + bin + ":/bin").of("supervisor"));
    assertEquals(bin + "/taskcert-admin", LaunchCommands.of(null, home.toString(), elsewhere, "/usr/bin").of("admin"));
    // The checkout's script sets the property this reads.
    assertTrue(Files.readString(Path.of("..", "taskcert")).contains("-D" + LaunchCommands.COMMAND_PROPERTY + "=./taskcert"));
    assertTrue(Files.readString(Path.of("..", "dist", "src", "main", "dist", "libexec", "run-java"))
        .contains("-D" + LaunchCommands.HOME_PROPERTY + "="));
  }

  @Test
  void answersABadOptionWithOneLineAndStatusTwo() {
    for (String[] args : List.of(new String[] {"--cert-lifetime", "PT25H"}, new String[] {"--tries", "0"},
        new String[] {"--metrics-port", "-7"}, new String[] {"--cert-lifetime", "ten minutes"})) {
      StringWriter err = new StringWriter();
      int exit = DevCli.commandLine(new DevCli()).setErr(new PrintWriter(err)).execute(args);
      assertEquals(2, exit, err.toString());
      assertEquals(1, err.toString().lines().count(), err.toString());
      assertTrue(err.toString().startsWith("error: "), err.toString());
    }
    StringWriter help = new StringWriter();
    assertEquals(0, DevCli.commandLine(new DevCli()).setOut(new PrintWriter(help)).execute("--help"));
    for (String option : List.of("--bind", "--metrics-port", "--tries", "--cert-lifetime", "--data-dir")) {
      assertTrue(help.toString().contains(option), help.toString());
    }
  }
}
