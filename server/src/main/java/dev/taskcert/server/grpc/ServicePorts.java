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

  /** Services on the server-auth-only enrollment port. */
  @Qualifier
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.FIELD})
  public @interface Enrollment {}
}
