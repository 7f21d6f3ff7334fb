package dev.taskcert.server.connection;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** The ConnectionService, on the mutual-TLS execution port. */
public final class ConnectionModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), ConnectionMapper.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
        .addBinding()
        .to(ConnectionService.class);
  }
}
