package dev.taskcert.server.dagrun;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** Dag runs as tasks read, trigger and clear them, on the execution port. */
public final class DagRunModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), DagRunMapper.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
        .addBinding()
        .to(DagRunService.class);
  }
}
