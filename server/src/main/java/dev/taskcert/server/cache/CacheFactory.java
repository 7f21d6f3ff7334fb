package dev.taskcert.server.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.metrics.ServerMetrics;
import jakarta.inject.Inject;

/**
 * Builds the server's bounded caches: entries expire after the configured TTL (the staleness
 * bound when a notification is missed), sizes are capped, and hit ratios are exported.
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
  public <K, V> Cache<K, V> create(String name) {
    Cache<K, V> cache = Caffeine.newBuilder()
        .expireAfterWrite(config.cacheTtl())
        .maximumSize(MAX_ENTRIES)
        .recordStats()
        .build();
    metrics.registerCache(name, cache);
    return cache;
  }
}
