package dev.taskcert.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh SoftHSM2 token in a directory of its own: its {@code softhsm2.conf}, the SunPKCS11
 * configuration that reaches it, and a PIN file. SoftHSM2 reads {@code SOFTHSM2_CONF} once, when a
 * process loads it, so whatever uses the token runs as a child process with {@link #environment()}.
 * Without SoftHSM2 the test is skipped, or fails under CI=true (see .ci/install-test-deps).
 */
public record SoftHsm(Path conf, Path pkcs11Config, Path pinFile, String pin) {
  private static final List<Path> LIBRARIES = List.of(
      Path.of("/usr/lib/softhsm/libsofthsm2.so"),
      Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
      Path.of("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
      Path.of("/usr/local/lib/softhsm/libsofthsm2.so"));
  private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

  /** The PKCS#11 library of SoftHSM2, if it is installed. */
  public static Optional<Path> library() {
    return LIBRARIES.stream().filter(Files::isReadable).findFirst();
  }

  /** Initializes a token labelled {@code label} with user PIN {@code pin} under {@code directory}. */
  public static SoftHsm create(Path directory, String label, String pin) throws Exception {
    Optional<Path> library = library();
    RequiredTools.require(library.isPresent() && onPath("softhsm2-util"),
        "SoftHSM2 is not installed (Debian: apt-get install softhsm2; or run .ci/install-test-deps)");
    Path tokens = Files.createDirectories(directory.resolve("tokens"));
    Path conf = directory.resolve("softhsm2.conf");
    Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    ProcessBuilder init = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", label,
        "--pin", pin, "--so-pin", pin + "-so").redirectErrorStream(true);
    init.environment().put("SOFTHSM2_CONF", conf.toString());
    Process process = init.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "softhsm2-util did not finish");
    assertEquals(0, process.exitValue(), output);
    Matcher slot = SLOT.matcher(output);
    assertTrue(slot.find(), output);
    Path pkcs11Config = directory.resolve("pkcs11.cfg");
    Files.writeString(pkcs11Config,
        "name = SoftHSM\nlibrary = " + library.get() + "\nslot = " + slot.group(1) + "\n");
    Path pinFile = directory.resolve("pin");
    Files.writeString(pinFile, pin + "\n");
    Files.setPosixFilePermissions(pinFile, PosixFilePermissions.fromString("rw-------"));
    return new SoftHsm(conf, pkcs11Config, pinFile, pin);
  }

  /** What a process that uses the token needs in its environment. */
  public Map<String, String> environment() {
    return Map.of("SOFTHSM2_CONF", conf.toString());
  }

  private static boolean onPath(String command) throws IOException {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, command))) {
        return true;
      }
    }
    return false;
  }
}
