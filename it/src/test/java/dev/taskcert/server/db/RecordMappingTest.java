package dev.taskcert.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.ServerModules;
import dev.taskcert.server.variable.VariableRow;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.mapping.ResultMap;
import org.apache.ibatis.mapping.ResultMapping;
import org.apache.ibatis.reflection.ReflectionException;
import org.apache.ibatis.session.Configuration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Every record a statement returns is read through its canonical constructor, one named column per
 * component, as {@link RecordMappingConfiguration} decides when the mapper is registered; that the
 * columns exist is shown by every statement the integration tests run.
 */
class RecordMappingTest {
  private final Configuration configuration = DatabaseModule.configuration(new PGSimpleDataSource(),
        Mappers.registeredBy(ServerModules.features()));

  @Test
  void everyRecordResultIsReadByItsCanonicalConstructorColumnByColumn() {
    List<String> records = new ArrayList<>();
    // The collection also holds MyBatis' markers for short names that two mappers share.
    for (MappedStatement statement : configuration.getMappedStatementNames().stream().filter(name -> name.contains("."))
        .map(configuration::getMappedStatement).toList()) {
      for (ResultMap map : statement.getResultMaps()) {
        if (!map.getType().isRecord()) {
          continue;
        }
        records.add(statement.getId());
        RecordComponent[] components = map.getType().getRecordComponents();
        List<ResultMapping> arguments = map.getConstructorResultMappings();
        assertEquals(components.length, arguments.size(), statement.getId());
        for (int i = 0; i < components.length; i++) {
          assertEquals(components[i].getType(), arguments.get(i).getJavaType(), statement.getId() + " argument " + i);
          assertEquals(RecordMappingConfiguration.column(components[i].getName()), arguments.get(i).getColumn(),
              statement.getId() + " argument " + i);
        }
        assertEquals(Boolean.FALSE, map.getAutoMapping(), "nothing is left to MyBatis' search by name: " + statement.getId());
      }
    }
    assertTrue(records.size() > 20, "statements returning records: " + records);
  }

  @Test
  void componentsAreReadFromTheirSnakeCaseColumns() {
    assertEquals("task_instance_id", RecordMappingConfiguration.column("taskInstanceId"));
    assertEquals("id", RecordMappingConfiguration.column("id"));
    assertEquals("xcom_read_scope", RecordMappingConfiguration.column("xcomReadScope"));
    assertEquals("sha256", RecordMappingConfiguration.column("sha256"));
  }

  @Test
  void theObjectFactoryCallsARecordsCanonicalConstructorAndLeavesTheRestToMyBatis() {
    RecordObjectFactory factory = new RecordObjectFactory();
    VariableRow row = factory.create(VariableRow.class, List.of(String.class, String.class, String.class),
        Arrays.asList("k", "v", null));
    assertEquals(new VariableRow("k", "v", null), row);
    // Not a record: MyBatis' own factory.
    Map<?, ?> map = factory.create(Map.class);
    assertTrue(map.isEmpty());
    // Types that are not the canonical constructor's go to MyBatis' factory, which finds no such constructor.
    assertThrows(ReflectionException.class,
        () -> factory.create(VariableRow.class, List.of(String.class), List.of("k")));
  }
}
