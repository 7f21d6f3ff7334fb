package dev.taskcert.server.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every test that {@code docs/threat-model.md} cites exists, and so does every test method it names,
 * so the threat model cannot claim coverage that was renamed or removed.
 */
class ThreatModelCitationsTest {
  private static final Path ROOT = Path.of("..");
  /** Where a citation without a module is looked for: the server's own tests, then the integration tests. */
  private static final List<Path> SERVER_TESTS = List.of(ROOT.resolve("server/src/test/java/dev/taskcert/server"),
      ROOT.resolve("it/src/test/java/dev/taskcert/server"));
  /** `package/ClassTest`, `package/ClassTest#method`, or `module/src/test/.../package/ClassTest`: any backticked path to a capitalized name. */
  private static final Pattern CITATION =
      Pattern.compile("`((?:[a-z]+/src/test/\\.\\.\\./)?[a-z]+(?:/[a-z]+)*/[A-Z][A-Za-z]*)(#[a-zA-Z]+)?`");
  /** `#method` right after a citation of the same class, as in "`a/BTest#x`, `#y`". */
  private static final Pattern FOLLOWING_METHOD = Pattern.compile("`#([a-zA-Z]+)`");

  private static Optional<Path> resolve(String citation) throws IOException {
    if (!citation.contains("/src/test/.../")) {
      return SERVER_TESTS.stream().map(tests -> tests.resolve(citation + ".java")).filter(Files::exists).findFirst();
    }
    String module = citation.substring(0, citation.indexOf('/'));
    String tail = citation.substring(citation.indexOf("/.../") + 5) + ".java";
    try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/test/java"))) {
      return files.filter(path -> path.toString().replace('\\', '/').endsWith("/" + tail)).findFirst();
    }
  }

  @Test
  void everyCitedTestClassAndMethodExists() throws IOException {
    String text = Files.readString(ROOT.resolve("docs/threat-model.md"));
    List<String> missing = new ArrayList<>();
    int cited = 0;
    for (String line : text.split("\n")) {
      Matcher citation = CITATION.matcher(line);
      Path lastClass = null;
      int lastEnd = 0;
      while (true) {
        boolean found = citation.find(lastEnd);
        int nextStart = found ? citation.start() : line.length();
        if (lastClass != null) {
          Matcher more = FOLLOWING_METHOD.matcher(line.substring(lastEnd, nextStart));
          while (more.find()) {
            requireMethod(lastClass, more.group(1), missing);
          }
        }
        if (!found) {
          break;
        }
        cited++;
        Optional<Path> file = resolve(citation.group(1));
        if (file.isEmpty()) {
          missing.add(citation.group(1) + " does not exist");
          lastClass = null;
        } else {
          lastClass = file.get();
          if (citation.group(2) != null) {
            requireMethod(lastClass, citation.group(2).substring(1), missing);
          }
        }
        lastEnd = citation.end();
      }
    }
    assertTrue(cited >= 20, "only " + cited + " citations found; has the citation format changed?");
    assertEquals(List.of(), missing);
  }

  private static void requireMethod(Path file, String method, List<String> missing) {
    try {
      if (!Pattern.compile("void " + method + "\\(").matcher(Files.readString(file)).find()) {
        missing.add(file.getFileName() + "#" + method + " does not exist");
      }
    } catch (IOException e) {
      missing.add(file + " cannot be read: " + e.getMessage());
    }
  }
}
