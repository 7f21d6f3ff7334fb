package dev.taskcert.server.grpc;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.Singleton;
import io.grpc.BindableService;

/** The gRPC servers and the per-port service sets that feature modules contribute to. */
public final class GrpcModule extends AbstractModule {
  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Enrollment.class);
    Multibinder.newSetBinder(binder(), AutoCloseable.class, ServicePorts.Enrollment.class);
    bind(TaskcertServer.class).in(Singleton.class);
  }
}
