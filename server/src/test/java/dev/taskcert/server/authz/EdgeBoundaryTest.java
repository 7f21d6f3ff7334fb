package dev.taskcert.server.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the shape of the front door: gRPC statuses are built only at the edge (the {@code grpc}
 * package, and the CLI as a client), and no service decides by hand who may call or in which state.
 */
class EdgeBoundaryTest {
  private static final Path MAIN = Path.of("src", "main", "java", "dev", "taskcert", "server");
  private static final Pattern STATUS = Pattern.compile("\\bio\\.grpc\\.Status\\w*\\b|\\bStatus\\.[A-Z_]+\\b");
  private static final Pattern HAND_CHECKS = Pattern.compile(
      "requireTask|requireAdmin|requireRunning|LiveTryGuard|instanceof (Task|Admin)Identity");

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(path -> path.toString().endsWith(".java")).sorted().toList();
    }
  }

  @Test
  void onlyTheEdgeBuildsGrpcStatuses() throws IOException {
    List<Path> all = sources();
    assertTrue(all.size() > 50, "found the sources: " + all.size());
    List<String> offenders = all.stream()
        .filter(path -> !path.startsWith(MAIN.resolve("grpc")) && !path.startsWith(MAIN.resolve("cli")))
        .filter(path -> STATUS.matcher(read(path)).find())
        .map(Path::toString)
        .toList();
    assertEquals(List.of(), offenders, "domain code throws Refusal; the grpc package maps it to a status");
  }

  @Test
  void noServiceChecksCallerOrStateByHand() throws IOException {
    List<String> offenders = sources().stream()
        .filter(path -> path.getFileName().toString().endsWith("Service.java"))
        .filter(path -> HAND_CHECKS.matcher(read(path)).find())
        .map(Path::toString)
        .toList();
    assertEquals(List.of(), offenders, "the front door decides caller kind and try state");
  }

  private static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
