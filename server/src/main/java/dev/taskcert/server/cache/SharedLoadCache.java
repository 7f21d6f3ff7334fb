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
    Claim<V> claim = claim(key);
    if (claim.isMine()) {
      try {
        claim.complete(load.apply(key));
      } catch (RuntimeException | Error e) {
        claim.fail(e);
        throw e;
      }
    }
    return claim.join();
  }

  /**
   * The value for {@code key} as a claim: cached or already loading (someone else's), or a pending
   * entry this caller must now load and {@link Claim#complete} or {@link Claim#fail}. A caller
   * loading several facts of several caches in one query claims each first, loads them once,
   * completes every claim of its own, and only then {@link Claim#join joins} the others' (so that
   * two such callers never wait on each other). An entry invalidated or replaced while it loads is
   * not stored, as with {@link #get}.
   */
  public Claim<V> claim(K key) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> shared = entries.get(key, (k, executor) -> mine);
    return new Claim<>(shared, shared == mine);
  }

  /** A cached, loading or claimed value of one key (see {@link #claim}). */
  public static final class Claim<V> {
    private final CompletableFuture<V> future;
    private final boolean mine;

    private Claim(CompletableFuture<V> future, boolean mine) {
      this.future = future;
      this.mine = mine;
    }

    /** Whether this caller must load the value. */
    public boolean isMine() {
      return mine;
    }

    /** Gives the value this caller loaded to everyone waiting for it, and to the cache. */
    public void complete(V value) {
      requireMine();
      future.complete(value);
    }

    /** Fails this caller's load for everyone waiting for it; nothing is cached. */
    public void fail(Throwable failure) {
      requireMine();
      future.completeExceptionally(failure);
    }

    /** The value, once loaded (by this caller: after {@link #complete}); a failed load's failure is thrown. */
    public V join() {
      try {
        return future.join();
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

    private void requireMine() {
      if (!mine) {
        throw new IllegalStateException("only the caller that claimed the load completes it");
      }
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
