package dev.taskcert.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.taskcert.server.ServerModules;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ibatis.session.Configuration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Keeps the fuzzing build honest about MyBatis: Jazzer's rewrite of a record drops its constructor
 * parameter names, which MyBatis maps result columns to, so the {@code fuzz.mybatis.results}
 * property in this module's {@code pom.xml} must name every record a mapper returns. A record
 * missing there would come back as {@code null} from every query while fuzzing.
 */
class MapperResultTypesTest {
  @Test
  void everyRecordAMapperReturnsIsLeftOutOfFuzzingInstrumentation() throws IOException {
    Configuration configuration = DatabaseModule.configuration(new PGSimpleDataSource(),
        Mappers.registeredBy(ServerModules.features()));
    Set<String> returned = new TreeSet<>();
    for (Class<?> mapper : configuration.getMapperRegistry().getMappers()) {
      for (Method method : mapper.getDeclaredMethods()) {
        Class<?> result = resultClass(method.getGenericReturnType());
        if (result != null && result.isRecord()) {
          returned.add(result.getName());
        }
      }
    }
    assertFalse(returned.isEmpty(), "found no mapper returning a record; has the mapping changed?");
    assertEquals(returned, new TreeSet<>(excludedFromInstrumentation()));
  }

  /** The element class of a {@code List<T>} result, or the result's own class. */
  private static Class<?> resultClass(Type type) {
    if (type instanceof ParameterizedType list && list.getActualTypeArguments()[0] instanceof Class<?> element) {
      return element;
    }
    return type instanceof Class<?> plain ? plain : null;
  }

  private static Set<String> excludedFromInstrumentation() throws IOException {
    Matcher property = Pattern.compile("<fuzz\\.mybatis\\.results>([^<]*)</fuzz\\.mybatis\\.results>")
        .matcher(Files.readString(Path.of("pom.xml")));
    if (!property.find()) {
      throw new AssertionError("pom.xml has no fuzz.mybatis.results property");
    }
    return new TreeSet<>(Arrays.asList(property.group(1).trim().split(":")));
  }
}
