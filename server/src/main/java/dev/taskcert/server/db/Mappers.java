package dev.taskcert.server.db;

import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import com.google.inject.spi.InstanceBinding;
import java.util.ArrayList;
import java.util.List;

/**
 * The MyBatis mappers of the server, each registered by the module of the feature whose aggregate
 * it reads and writes; {@link DatabaseModule} gives them all to MyBatis.
 */
public final class Mappers {
  private Mappers() {}

  /** One mapper interface, as a member of the set the modules contribute to. */
  public record MapperType(Class<?> type) {
    public MapperType {
      if (!type.isInterface()) {
        throw new IllegalArgumentException("a MyBatis mapper is an interface: " + type.getName());
      }
    }
  }

  /** Registers {@code mappers}, a feature's own, with the database module. */
  public static void register(Binder binder, Class<?>... mappers) {
    Multibinder<MapperType> set = set(binder);
    for (Class<?> mapper : mappers) {
      set.addBinding().toInstance(new MapperType(mapper));
    }
  }

  /**
   * The mappers {@code modules} register, read from their bindings without building an injector
   * (for checks of the whole set).
   */
  public static List<Class<?>> registeredBy(List<? extends Module> modules) {
    List<Class<?>> mappers = new ArrayList<>();
    for (Element element : Elements.getElements(modules)) {
      if (element instanceof InstanceBinding<?> binding && binding.getInstance() instanceof MapperType mapper) {
        mappers.add(mapper.type());
      }
    }
    return mappers;
  }

  static Multibinder<MapperType> set(Binder binder) {
    return Multibinder.newSetBinder(binder, MapperType.class);
  }
}
