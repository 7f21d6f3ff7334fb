package dev.taskcert.server.admin;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** The AdminService, on the mutual-TLS execution port. */
public final class AdminModule extends AbstractModule {
  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
        .addBinding()
        .to(AdminService.class);
  }
}
