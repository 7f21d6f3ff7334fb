package dev.taskcert.server.asset;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** The asset services (the task's and the control plane's), on the execution port. */
public final class AssetModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), AssetMapper.class);
    Multibinder<BindableService> services =
        Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class);
    services.addBinding().to(AssetService.class);
    services.addBinding().to(AssetAdminService.class);
  }
}
