package dev.taskcert.server.revocation;

import dev.taskcert.server.cache.CacheFactory;
import dev.taskcert.server.cache.InvalidationBus;
import dev.taskcert.server.cache.SharedLoadCache;
import dev.taskcert.server.db.Transactions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Whether a certificate serial is revoked, checked on every call. Answers are cached for at most
 * the configured TTL; a revocation through any replica reaches all of them at once through
 * PostgreSQL NOTIFY {@code revoked:<serial>}. Serials the CA never recorded (for example operator
 * certificates issued offline) are revoked through the {@code revoked_serial} table.
 */
@Singleton
public final class RevocationCache implements InvalidationBus.Listener {
  private static final String PREFIX = "revoked:";

  private final Transactions transactions;
  private final SharedLoadCache<String, Boolean> cache;

  @Inject
  RevocationCache(Transactions transactions, CacheFactory caches, InvalidationBus bus) {
    this.transactions = transactions;
    this.cache = caches.create("revocation");
    bus.register(this);
  }

  public boolean isRevoked(String serialHex) {
    return cache.get(serialHex, serial ->
        transactions.withMapper(RevocationMapper.class, mapper -> mapper.isRevoked(serial)));
  }

  /**
   * The cached answer for {@code serialHex}, or a claim to load it along with the caller's other
   * facts (see {@link dev.taskcert.server.authz.CallerFacts}).
   */
  public SharedLoadCache.Claim<Boolean> claim(String serialHex) {
    return cache.claim(serialHex);
  }

  /** Records a revocation made by this replica. */
  public void markRevoked(String serialHex) {
    cache.put(serialHex, true);
  }

  @Override
  public void onNotification(String payload) {
    if (payload.startsWith(PREFIX)) {
      cache.put(payload.substring(PREFIX.length()), true);
    }
  }

  @Override
  public void onResync() {
    cache.invalidateAll();
  }
}
