package dev.taskcert.server.taskinstance;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** The task-instance lifecycle service, on the execution port. */
public final class TaskInstanceModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), TaskInstanceMapper.class, RunContextMapper.class, SkipMapper.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
        .addBinding()
        .to(TaskInstanceService.class);
  }
}
