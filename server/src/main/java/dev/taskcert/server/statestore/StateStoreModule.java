package dev.taskcert.server.statestore;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** The task and asset state stores, on the execution port. */
public final class StateStoreModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), StoreMapper.class);
    Multibinder<BindableService> services =
        Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class);
    services.addBinding().to(TaskStoreService.class);
    services.addBinding().to(AssetStoreService.class);
  }
}
