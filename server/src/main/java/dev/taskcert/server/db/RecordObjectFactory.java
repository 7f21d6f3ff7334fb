package dev.taskcert.server.db;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.apache.ibatis.reflection.ReflectionException;
import org.apache.ibatis.reflection.factory.DefaultObjectFactory;

/**
 * Creates records through their canonical constructor, found once per record type; MyBatis' default
 * factory searches the type's constructors again for every row. Anything else it leaves to the
 * default factory.
 */
final class RecordObjectFactory extends DefaultObjectFactory {
  private static final long serialVersionUID = 1L;

  private static final ClassValue<Canonical> CANONICAL = new ClassValue<>() {
    @Override
    protected Canonical computeValue(Class<?> type) {
      List<Class<?>> parameters = Arrays.stream(type.getRecordComponents()).<Class<?>>map(RecordComponent::getType)
          .toList();
      try {
        Constructor<?> constructor = type.getDeclaredConstructor(parameters.toArray(Class<?>[]::new));
        constructor.trySetAccessible();
        return new Canonical(constructor, parameters);
      } catch (NoSuchMethodException e) {
        throw new ReflectionException("record " + type.getName() + " has no canonical constructor", e);
      }
    }
  };

  /** A record's canonical constructor and its parameter types. */
  private record Canonical(Constructor<?> constructor, List<Class<?>> parameters) {}

  @Override
  public <T> T create(Class<T> type, List<Class<?>> argumentTypes, List<Object> arguments) {
    if (!type.isRecord() || argumentTypes == null || arguments == null) {
      return super.create(type, argumentTypes, arguments);
    }
    Canonical canonical = CANONICAL.get(type);
    if (!canonical.parameters().equals(argumentTypes)) {
      return super.create(type, argumentTypes, arguments);
    }
    try {
      return type.cast(canonical.constructor().newInstance(arguments.toArray()));
    } catch (InstantiationException | IllegalAccessException | IllegalArgumentException e) {
      throw new ReflectionException("cannot create " + type.getName() + " from " + arguments + ": " + e, e);
    } catch (InvocationTargetException e) {
      throw new ReflectionException("cannot create " + type.getName() + ": " + e.getCause(), e.getCause());
    }
  }
}
