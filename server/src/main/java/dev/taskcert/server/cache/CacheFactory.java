package dev.taskcert.server.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.metrics.ServerMetrics;
import jakarta.inject.Inject;

/**
 * Builds the server's bounded caches: entries expire after the configured TTL (the staleness
 * bound when a notification is missed), sizes are capped, and hit ratios are exported.
 * Concurrent misses of one key share a single load (see {@link SharedLoadCache}).
 */
public final class CacheFactory {
  /** Upper bound on entries per cache. */
  public static final long MAX_ENTRIES = 100_000;

  private final ServerConfig config;
  private final ServerMetrics metrics;

  @Inject
  CacheFactory(ServerConfig config, ServerMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  /** A new cache named {@code name} in metrics. */
  public <K, V> SharedLoadCache<K, V> create(String name) {
    SharedLoadCache<K, V> cache = new SharedLoadCache<>(Caffeine.newBuilder()
        .expireAfterWrite(config.cacheTtl())
        .maximumSize(MAX_ENTRIES)
        .recordStats()
        .executor(Runnable::run)
        .<K, V>buildAsync());
    metrics.registerCache(name, cache.view());
    return cache;
  }
}
