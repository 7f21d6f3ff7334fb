package dev.taskcert.server.catalog;

import dev.taskcert.server.cache.CacheFactory;
import dev.taskcert.server.cache.InvalidationBus;
import dev.taskcert.server.cache.SharedLoadCache;
import dev.taskcert.server.db.Transactions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * DAG ownership (team, declarations) by DAG id, cached for at most the configured TTL and dropped
 * whenever any replica changes a DAG or bundle (PostgreSQL NOTIFY {@code catalog}).
 */
@Singleton
public final class OwnershipCache implements InvalidationBus.Listener {
  private final Transactions transactions;
  private final SharedLoadCache<String, Optional<DagOwnership>> cache;

  @Inject
  OwnershipCache(Transactions transactions, CacheFactory caches, InvalidationBus bus) {
    this.transactions = transactions;
    this.cache = caches.create("ownership");
    bus.register(this);
  }

  /** Who owns the DAG and what it declares, if it is registered. */
  public Optional<DagOwnership> find(String dagId) {
    return cache.get(dagId, id -> Optional.ofNullable(
        transactions.withMapper(CatalogMapper.class, mapper -> mapper.dagOwnership(id))));
  }

  /**
   * The DAG's cached ownership, or a claim to load it along with a caller's other facts (see
   * {@link dev.taskcert.server.authz.CallerFacts}).
   */
  public SharedLoadCache.Claim<Optional<DagOwnership>> claim(String dagId) {
    return cache.claim(dagId);
  }

  /** Drops everything (after a local catalog write). */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  @Override
  public void onNotification(String payload) {
    if (payload.equals("catalog")) {
      cache.invalidateAll();
    }
  }

  @Override
  public void onResync() {
    cache.invalidateAll();
  }
}
