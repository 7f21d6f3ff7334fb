package dev.taskcert.server.catalog;

import com.google.inject.AbstractModule;
import dev.taskcert.server.db.Mappers;

/**
 * The catalog of teams, DAG bundles and DAGs, with their structure and cross-team access, which
 * every feature that decides on a DAG's owner reads.
 */
public final class CatalogModule extends AbstractModule {
  @Override
  protected void configure() {
    Mappers.register(binder(), CatalogMapper.class, DagStructureMapper.class, DagAccessMapper.class);
  }
}
