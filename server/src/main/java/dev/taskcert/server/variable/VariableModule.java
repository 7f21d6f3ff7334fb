package dev.taskcert.server.variable;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** The variable service, on the execution port. */
public final class VariableModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), VariableMapper.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
        .addBinding()
        .to(VariableService.class);
  }
}
