package dev.taskcert.bench.environment;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The class path this code runs from, for starting another JVM on it. A launcher that loads the
 * application in its own class loader (such as a build tool's in-process runner) leaves
 * {@code java.class.path} pointing at the launcher; the loader's URLs are the real class path.
 */
public final class JvmClassPath {
  private JvmClassPath() {}

  /** The class path, from the context class loader's URLs if it has any, else {@code java.class.path}. */
  public static String current() {
    List<String> entries = new ArrayList<>();
    for (ClassLoader loader = Thread.currentThread().getContextClassLoader(); loader != null;
        loader = loader.getParent()) {
      if (loader instanceof URLClassLoader urls) {
        for (URL url : urls.getURLs()) {
          if ("file".equals(url.getProtocol())) {
            try {
              entries.add(new File(url.toURI()).getPath());
            } catch (URISyntaxException e) {
              entries.add(url.getPath());
            }
          }
        }
      }
    }
    return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
  }

  /** The {@code java} launcher of this JVM. */
  public static String javaLauncher() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * A second JVM on this class path running {@code main} with {@code arguments}: the benchmark's
   * logging, its own log file {@code logFile} in the temporary directory (so it never writes over
   * this JVM's), standard error passed through.
   */
  public static ProcessBuilder childJvm(String logFile, Class<?> main, String... arguments) {
    List<String> command = new ArrayList<>(List.of(javaLauncher(),
        "-Dlogback.configurationFile=taskcert-bench-logback.xml",
        "-Dtaskcert.bench.log=" + Path.of(System.getProperty("java.io.tmpdir"), logFile),
        "-cp", current(), main.getName()));
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
  }
}
