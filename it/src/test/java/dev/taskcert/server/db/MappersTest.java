package dev.taskcert.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.ServerModules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Each feature module registers its own mappers, and together they register every mapper once. */
class MappersTest {
  private static final Path SERVER_CLASSES = Path.of("..", "server", "target", "classes");

  @Test
  void everyMapperInterfaceOfTheServerIsRegisteredByExactlyOneModule() throws Exception {
    List<Class<?>> registered = Mappers.registeredBy(ServerModules.features());
    Set<String> names = new TreeSet<>();
    for (Class<?> mapper : registered) {
      assertTrue(names.add(mapper.getName()), "registered twice: " + mapper.getName());
    }
    assertEquals(mapperInterfaces(), names);
  }

  /** The interfaces named ...Mapper among the server's classes. */
  private static Set<String> mapperInterfaces() throws IOException, ClassNotFoundException {
    Set<String> mappers = new TreeSet<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SERVER_CLASSES)) {
      files = walk.filter(file -> file.getFileName().toString().endsWith("Mapper.class")).toList();
    }
    for (Path file : files) {
      String name = SERVER_CLASSES.relativize(file).toString().replace('/', '.').replaceFirst("\\.class$", "");
      if (Class.forName(name).isInterface()) {
        mappers.add(name);
      }
    }
    assertFalse(mappers.isEmpty(), "no mapper found under " + SERVER_CLASSES.toAbsolutePath());
    return mappers;
  }
}
