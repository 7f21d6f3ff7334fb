package dev.taskcert.server.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, {@code ./taskcert dev}, in a copy of this checkout that has never
 * been built: the script builds the distribution with the Maven wrapper, skipping tests as a
 * newcomer's first run does, and serves. A build that needs an artifact only a test build makes
 * (a module's test jar) fails here, however many such artifacts an earlier build left behind.
 */
class CheckoutCommandTest {
  private static final String BUILDING = "building the distribution";

  @TempDir Path work;

  @Test
  void aFreshCheckoutBuildsOnceAndServesInDevMode() throws Exception {
    Path checkout = copyOfCheckout(Path.of("..").toRealPath(), work.resolve("checkout"));
    Path log = work.resolve("dev.log");
    Process dev = new ProcessBuilder("./taskcert", "dev", "--data-dir", work.resolve("data").toString(),
        "--port", String.valueOf(FreePorts.next()), "--enroll-port", String.valueOf(FreePorts.next()),
        "--metrics-port", String.valueOf(FreePorts.next()))
        .directory(checkout.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Await.until("./taskcert dev serving (see " + log + ")", Duration.ofMinutes(5),
          () -> read(log).contains("./taskcert dev demo") || !dev.isAlive());
      String out = read(log);
      assertTrue(dev.isAlive(), out);
      assertTrue(out.contains(BUILDING), out);
      assertTrue(out.contains("taskcert dev server is up") && out.contains("./taskcert supervisor run"), out);
    } finally {
      dev.destroy();
      assertTrue(dev.waitFor(60, TimeUnit.SECONDS), "dev mode stops on SIGTERM");
    }
    // The second command reuses the build.
    Process help = new ProcessBuilder("./taskcert", "admin", "--help").directory(checkout.toFile())
        .redirectErrorStream(true).start();
    String helpOut = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(help.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue(), helpOut);
    assertFalse(helpOut.contains(BUILDING), helpOut);
    assertTrue(helpOut.contains("Usage: taskcert-admin"), helpOut);
  }

  /** The files git would check out (tracked, and new ones not ignored), nothing a build made. */
  private static Path copyOfCheckout(Path root, Path copy) throws IOException, InterruptedException {
    Process files = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        .directory(root.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String listing = new String(files.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(files.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, files.exitValue(), "git ls-files in " + root);
    List<String> paths = List.of(listing.split("\0"));
    assertTrue(paths.contains("taskcert") && paths.contains("mvnw"), paths.toString());
    for (String path : paths) {
      Path source = root.resolve(path);
      if (path.isEmpty() || !Files.isRegularFile(source)) {
        continue; // deleted in the work tree but not yet in the index
      }
      Path target = copy.resolve(path);
      Files.createDirectories(target.getParent());
      Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
    }
    return copy;
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
