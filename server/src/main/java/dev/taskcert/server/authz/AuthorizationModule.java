package dev.taskcert.server.authz;

import com.google.inject.AbstractModule;
import dev.taskcert.server.db.Mappers;

/** The facts the front door admits a task's call on. */
public final class AuthorizationModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), CallerFactsMapper.class);
  }
}
