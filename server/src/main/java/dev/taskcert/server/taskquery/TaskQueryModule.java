package dev.taskcert.server.taskquery;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** Task instance queries and the caller's own try's details, on the execution port. */
public final class TaskQueryModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), TaskQueryMapper.class);
    Multibinder<BindableService> services =
        Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class);
    services.addBinding().to(TaskInstanceQueryService.class);
    services.addBinding().to(TaskInstanceDetailsService.class);
  }
}
