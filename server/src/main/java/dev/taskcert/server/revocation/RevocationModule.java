package dev.taskcert.server.revocation;

import com.google.inject.AbstractModule;
import dev.taskcert.server.db.Mappers;

/**
 * The record of revoked certificates and serials, which the front door reads and revocation
 * writes.
 */
public final class RevocationModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), RevocationMapper.class);
  }
}
