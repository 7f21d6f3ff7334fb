package dev.taskcert.server.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A bounded cache whose misses share one load. The first caller to miss a key installs a pending
 * entry and runs the load on its own thread, outside any lock; callers missing the same key while
 * it runs wait for that load and get its answer or its failure. So while the database is down,
 * callers queued on one key fail together after one connection timeout, instead of each starting
 * a fresh load after the previous one failed and stacking timeouts past their deadlines.
 *
 * <p>Loading on the caller's thread keeps {@code Transactions}' one-transaction-per-thread rule
 * meaningful. A failed load is not cached; an entry invalidated while it loads is not stored.
 */
public final class SharedLoadCache<K, V> {
  private final AsyncCache<K, V> entries;

  SharedLoadCache(AsyncCache<K, V> entries) {
    this.entries = entries;
  }

  /** The value for {@code key}, loading it with {@code load} unless cached or already loading. */
  public V get(K key, Function<? super K, ? extends V> load) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> shared = entries.get(key, (k, executor) -> mine);
    if (shared == mine) {
      try {
        mine.complete(load.apply(key));
      } catch (RuntimeException | Error e) {
        mine.completeExceptionally(e);
        throw e;
      }
    }
    try {
      return shared.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** Stores {@code value} for {@code key}, replacing any cached or loading one. */
  public void put(K key, V value) {
    entries.put(key, CompletableFuture.completedFuture(value));
  }

  public void invalidate(K key) {
    entries.synchronous().invalidate(key);
  }

  public void invalidateAll() {
    entries.synchronous().invalidateAll();
  }

  /** Drops every completed entry whose value matches {@code stale}. */
  public void invalidateValuesIf(Predicate<? super V> stale) {
    entries.synchronous().asMap().values().removeIf(stale);
  }

  /** The synchronous view, for statistics. */
  Cache<K, V> view() {
    return entries.synchronous();
  }
}
