package dev.taskcert.server.xcom;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** The XComService, on the mutual-TLS execution port. */
public final class XComModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), XComMapper.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
        .addBinding()
        .to(XComService.class);
  }
}
