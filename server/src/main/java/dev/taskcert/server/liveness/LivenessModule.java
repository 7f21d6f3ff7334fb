package dev.taskcert.server.liveness;

import com.google.inject.AbstractModule;
import dev.taskcert.server.db.Mappers;

/** Ending tries: the liveness sweep, an admin's end of a try, and the end of a dag run. */
public final class LivenessModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), TryEndingMapper.class);
  }
}
