package dev.taskcert.server.enrollment;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/**
 * The CA service: on the enrollment port for Enroll and GetTrustBundle, and on the execution port
 * for Renew (which needs the caller's certificate).
 */
public final class EnrollmentModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(CertificateAuthorityService.class).asEagerSingleton();
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
        .addBinding()
        .to(CertificateAuthorityService.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Enrollment.class)
        .addBinding()
        .to(CertificateAuthorityService.class);
  }
}
