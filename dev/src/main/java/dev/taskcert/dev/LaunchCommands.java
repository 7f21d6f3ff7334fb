package dev.taskcert.dev;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the commands dev mode prints name the taskcert launchers: the way this process was started,
 * so that each printed line runs as pasted. From a source checkout, {@code ./taskcert} passes
 * {@code -Dtaskcert.command=./taskcert} and the commands read {@code ./taskcert supervisor ...};
 * from a distribution ({@code bin/taskcert-dev}, which sets {@code taskcert.home}) they are that
 * distribution's launchers: {@code bin/taskcert-supervisor ...} when it is the working directory,
 * {@code taskcert-supervisor ...} when its {@code bin/} is on the {@code PATH} (as in the container
 * image), its full path otherwise.
 */
final class LaunchCommands {
  /** The system property {@code ./taskcert} sets to its own name. */
  static final String COMMAND_PROPERTY = "taskcert.command";
  /** The system property the distribution's launchers set to the distribution's directory. */
  static final String HOME_PROPERTY = "taskcert.home";

  private final String checkoutCommand;
  private final String launcherDirectory;

  private LaunchCommands(String checkoutCommand, String launcherDirectory) {
    this.checkoutCommand = checkoutCommand;
    this.launcherDirectory = launcherDirectory;
  }

  /** Commands through the checkout's script, such as {@code ./taskcert supervisor}. */
  static LaunchCommands checkout(String script) {
    return new LaunchCommands(Objects.requireNonNull(script), null);
  }

  /** Commands through the launchers in {@code directory}, such as {@code bin/taskcert-supervisor}; "" when on the PATH. */
  static LaunchCommands launchers(String directory) {
    return new LaunchCommands(null, Objects.requireNonNull(directory));
  }

  /** The commands for this process, from its system properties, working directory and PATH. */
  static LaunchCommands current() {
    return of(System.getProperty(COMMAND_PROPERTY), System.getProperty(HOME_PROPERTY),
        Path.of("").toAbsolutePath(), System.getenv().getOrDefault("PATH", ""));
  }

  /**
   * The commands for a process started with {@code command} ({@code taskcert.command}, or null)
   * and {@code home} ({@code taskcert.home}, or null), in {@code workingDirectory} with {@code path}.
   */
  static LaunchCommands of(String command, String home, Path workingDirectory, String path) {
    if (command != null && !command.isBlank()) {
      return checkout(command.strip());
    }
    if (home == null || home.isBlank()) {
      return launchers("");
    }
    Path bin = Path.of(home).toAbsolutePath().normalize().resolve("bin");
    for (String entry : path.split(Pattern.quote(java.io.File.pathSeparator))) {
      if (!entry.isEmpty() && sameDirectory(Path.of(entry), bin)) {
        return launchers("");
      }
    }
    Path here = workingDirectory.toAbsolutePath().normalize();
    if (bin.startsWith(here)) {
      return launchers(here.relativize(bin) + "/");
    }
    return launchers(bin + "/");
  }

  private static boolean sameDirectory(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (java.io.IOException e) {
      return a.toAbsolutePath().normalize().equals(b);
    }
  }

  /** The command that runs {@code tool} (dev, server, ca, admin or supervisor). */
  String of(String tool) {
    return checkoutCommand != null ? checkoutCommand + " " + tool : launcherDirectory + "taskcert-" + tool;
  }
}
