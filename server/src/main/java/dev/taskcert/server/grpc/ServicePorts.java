package dev.taskcert.server.grpc;

import jakarta.inject.Qualifier;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Binding qualifiers for the services each port serves. */
public final class ServicePorts {
  private ServicePorts() {}

  /** Services on the mutual-TLS execution port. */
  @Qualifier
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.FIELD})
  public @interface Execution {}

  /**
   * Services on the server-auth-only enrollment port; on an {@link AutoCloseable}, what serves them
   * and is closed, in binding order, once the port has stopped.
   */
  @Qualifier
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.FIELD})
  public @interface Enrollment {}
}
