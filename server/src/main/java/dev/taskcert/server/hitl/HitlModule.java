package dev.taskcert.server.hitl;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/** The human-in-the-loop services (the task's and the control plane's), on the execution port. */
public final class HitlModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), HitlMapper.class);
    Multibinder<BindableService> services =
        Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class);
    services.addBinding().to(HitlService.class);
    services.addBinding().to(HitlAdminService.class);
  }
}
