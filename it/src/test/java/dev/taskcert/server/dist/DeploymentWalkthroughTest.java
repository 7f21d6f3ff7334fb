package dev.taskcert.server.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.EmbeddedDatabase;
import dev.taskcert.server.testing.DeploymentGuide;
import dev.taskcert.server.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/deployment.md's "From nothing to a served task", run as written from the tarball: the
 * database as "The database" creates it, then the guide's shell block line by line. Only what the
 * guide leaves to the reader is filled in: where things live (a temporary directory instead of
 * {@code /etc/taskcert}, the home directory, the offline medium), the server's address and ports
 * (loopback, free ports, instead of {@code taskcert.example.com:7443}), the edit of the example
 * configuration it asks for, and waiting until the server it starts in the background is ready.
 */
class DeploymentWalkthroughTest {
  @TempDir
  Path work;

  @Test
  void theGuidesCommandsServeATaskFromTheTarball() throws Exception {
    Path home = Path.of(System.getProperty("taskcert.dist.home", "../dist/target/none"));
    Path tarball = home.getParent().resolveSibling(home.getFileName() + ".tar.gz");
    assertTrue(Files.isRegularFile(tarball), "the distribution is built before the integration tests: " + tarball);
    int execution = FreePorts.next();
    int enrollment = FreePorts.next();
    int metrics = FreePorts.next();
    Path etc = work.resolve("etc");
    Path pid = work.resolve("server.pid");
    try (EmbeddedDatabase database = EmbeddedDatabase.start(work.resolve("pg"))) {
      String jdbcUrl = DeploymentGuide.createDatabase(database);
      List<String> script = new ArrayList<>(List.of("cd " + work));
      for (String line : DeploymentGuide.block("From nothing to a served task", "sh").lines().toList()) {
        String local = line
            .replace("tar xzf taskcert-0.1.0.tar.gz && cd taskcert-0.1.0",
                "tar xzf " + tarball + " && cd " + home.getFileName())
            .replace("/etc/taskcert", etc.toString())
            .replace("/media/taskcert-root", work.resolve("offline-root").toString())
            .replace("/tmp/extract.token", work.resolve("extract.token").toString())
            .replace("taskcert.example.com:7443", "localhost:" + execution)
            .replace("taskcert.example.com:7444", "localhost:" + enrollment);
        script.add(local);
        if (line.startsWith("cp conf/taskcert.properties.example ")) {
          // "then edit it": this machine's database, address and ports
          script.add(edit(etc.resolve("taskcert.properties"), etc, Map.of(
              "database.url", jdbcUrl, "bind_address", "127.0.0.1", "server_names", "localhost",
              "execution_port", Integer.toString(execution), "enrollment_port", Integer.toString(enrollment),
              "metrics_port", Integer.toString(metrics))));
        }
        if (line.startsWith("bin/taskcert-server serve ") && line.strip().endsWith("&")) {
          script.add("echo $! > " + pid);
          script.add(waitUntilReady(metrics));
        }
      }
      Path file = work.resolve("walkthrough.sh");
      Files.writeString(file, String.join("\n", script) + "\n");
      ProcessBuilder builder = new ProcessBuilder("bash", "-euo", "pipefail", file.toString())
          .redirectErrorStream(true).redirectOutput(work.resolve("walkthrough.log").toFile());
      builder.environment().keySet().removeIf(key -> key.startsWith("TASKCERT_"));
      builder.environment().put("HOME", Files.createDirectories(work.resolve("home")).toString());
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      long start = System.nanoTime();
      Process walkthrough = builder.start();
      try {
        boolean finished = walkthrough.waitFor(10, TimeUnit.MINUTES);
        String log = Files.readString(work.resolve("walkthrough.log"));
        assertTrue(finished, "the walkthrough did not finish:\n" + log);
        assertEquals(0, walkthrough.exitValue(), log);
        assertTrue(log.contains("finished SUCCESS"), "the supervisor's try did not succeed:\n" + log);
        assertTrue(log.contains("variable bucket = s3://raw"), "the supervisor did not read its variable:\n" + log);
        System.out.printf("the guide's walkthrough took %.0f s%n", (System.nanoTime() - start) / 1e9);
      } finally {
        walkthrough.destroyForcibly();
        if (Files.exists(pid)) {
          ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(server -> {
            server.destroy();
            server.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(timeout -> null).join();
            server.destroyForcibly();
          });
        }
      }
    }
  }

  /**
   * Shell lines that set {@code keys} in a properties file, as an operator's editor would, and move
   * its files from /etc/taskcert to where this test keeps them.
   */
  private static String edit(Path file, Path etc, Map<String, String> keys) {
    List<String> lines = new ArrayList<>();
    lines.add("sed -i 's#/etc/taskcert#" + etc + "#g' " + file);
    keys.forEach((key, value) -> lines.add("sed -i 's#^" + key.replace(".", "\\.") + "=.*#" + key + "=" + value + "#' "
        + file));
    return String.join("\n", lines);
  }

  /** A shell loop that waits until the metrics port answers {@code /readyz} with 200. */
  private static String waitUntilReady(int metricsPort) {
    return "for attempt in $(seq 1 240); do"
        + " if (exec 3<>/dev/tcp/127.0.0.1/" + metricsPort + " && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3"
        + " && head -n 1 <&3 | grep -q ' 200') 2>/dev/null; then break; fi;"
        + " sleep 0.5; done";
  }
}
