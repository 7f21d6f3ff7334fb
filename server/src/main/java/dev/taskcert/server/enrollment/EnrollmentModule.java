package dev.taskcert.server.enrollment;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.taskcert.server.audit.AnonymousRefusals;
import dev.taskcert.server.db.Mappers;
import dev.taskcert.server.grpc.ServicePorts;
import io.grpc.BindableService;

/**
 * The CA's two services, each bound only where its callers are: enrollment (anonymous, with a
 * token) on the enrollment port, renewal (task certificate) on the mutual-TLS execution port.
 */
public final class EnrollmentModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(),
        EnrollmentTokenMapper.class, IssuedCertificateMapper.class, TryResumptionMapper.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Enrollment.class)
        .addBinding()
        .to(EnrollmentService.class);
    Multibinder.newSetBinder(binder(), BindableService.class, ServicePorts.Execution.class)
        .addBinding()
        .to(RenewalService.class);
    // Closed once the enrollment port has stopped: the workers finish, then the refusal counts are written.
    Multibinder<AutoCloseable> closedAfterEnrollment =
        Multibinder.newSetBinder(binder(), AutoCloseable.class, ServicePorts.Enrollment.class);
    closedAfterEnrollment.addBinding().to(EnrollmentWorkers.class);
    closedAfterEnrollment.addBinding().to(AnonymousRefusals.class);
  }
}
