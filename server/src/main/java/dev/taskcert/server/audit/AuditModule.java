package dev.taskcert.server.audit;

import com.google.inject.AbstractModule;
import dev.taskcert.server.db.Mappers;

/** The audit log every feature writes to. */
public final class AuditModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), AuditMapper.class);
  }
}
