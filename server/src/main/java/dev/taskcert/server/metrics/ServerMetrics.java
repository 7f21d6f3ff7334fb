package dev.taskcert.server.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import dev.taskcert.pki.crypto.SignatureProvider;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The server's Prometheus metrics: RPCs by method and status, audit events by kind (denials,
 * refused enrollments, issuance, revocation), TLS handshakes whose client certificate failed
 * verification, cache hit ratios and sizes, the connection pool, the JVM, the build and the signature
 * provider in force.
 * Each server has its own registry so several can run in one JVM.
 */
@Singleton
public final class ServerMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter rpcs;
  private final Counter auditEvents;
  private final Counter handshakeFailures;
  private final Counter negotiationFailures;
  private final Counter denials;

  @Inject
  ServerMetrics(SignatureProvider signatures) {
    JvmMetrics.builder().register(registry);
    Info.builder()
        .name("taskcert_build_info")
        .help("The running taskcert server's version")
        .labelNames("version")
        .register(registry)
        .addLabelValues(version());
    Info.builder()
        .name("taskcert_crypto_provider_info")
        .help("The signature provider outside the TLS handshake (crypto.provider): its name and version, whether it"
            + " is native, and whether it is the fallback because the native provider could not load")
        .labelNames("provider", "version", "native", "fallback")
        .register(registry)
        .addLabelValues(signatures.name(), signatures.version(), Boolean.toString(signatures.isNative()),
            Boolean.toString(signatures.fallbackReason().isPresent()));
    rpcs = Counter.builder()
        .name("taskcert_rpc_total")
        .help("RPCs completed, by full method name and gRPC status code")
        .labelNames("method", "code")
        .register(registry);
    auditEvents = Counter.builder()
        .name("taskcert_audit_events_total")
        .help("Audited decisions by kind: deny, unauthenticated, enroll_refused, issue, revoke, queue, admin")
        .labelNames("kind")
        .register(registry);
    denials = Counter.builder()
        .name("taskcert_denials_total")
        .help("Refused requests by kind (deny, unauthenticated, enroll_refused) and the type of resource refused")
        .labelNames("kind", "resource_type")
        .register(registry);
    negotiationFailures = Counter.builder()
        .name("taskcert_tls_negotiation_failures_total")
        .help("TLS handshakes that failed on either port, whatever the reason: those not in taskcert_tls_handshake_failures_total"
            + " failed before a client certificate was verified (none presented, or no common protocol or cipher)")
        .register(registry);
    handshakeFailures = Counter.builder()
        .name("taskcert_tls_handshake_failures_total")
        .help("TLS handshakes refused because the client certificate failed verification, by port and reason")
        .labelNames("port", "reason")
        .register(registry);
  }

  /** This build's version, from the jar's manifest ({@code dev} when run from classes). */
  public static String version() {
    String version = ServerMetrics.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /**
   * Exports the connection pool's state as {@code taskcert_db_pool_connections{state}} (active,
   * idle, total) and {@code taskcert_db_pool_waiting_threads}.
   */
  public void registerPool(com.zaxxer.hikari.HikariPoolMXBean pool) {
    GaugeWithCallback.builder()
        .name("taskcert_db_pool_connections")
        .help("Database connections of the pool by state: active, idle, total")
        .labelNames("state")
        .callback(callback -> {
          callback.call(pool.getActiveConnections(), "active");
          callback.call(pool.getIdleConnections(), "idle");
          callback.call(pool.getTotalConnections(), "total");
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("taskcert_db_pool_waiting_threads")
        .help("Threads waiting for a database connection")
        .callback(callback -> callback.call(pool.getThreadsAwaitingConnection()))
        .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public void rpcCompleted(String method, String code) {
    rpcs.labelValues(method, code).inc();
  }

  public void audited(String kind) {
    auditEvents.labelValues(kind).inc();
  }

  /** Counts a refusal; {@code resourceType} is a small fixed vocabulary (variable, xcom, task_instance...). */
  public void denied(String kind, String resourceType) {
    denials.labelValues(kind, resourceType).inc();
  }

  /** Counts a failed TLS handshake of any kind. */
  public void negotiationFailed() {
    negotiationFailures.inc();
  }

  /** Counts a refused client certificate; {@code reason} is a small fixed vocabulary (expired, untrusted_issuer...). */
  public void handshakeFailed(String port, String reason) {
    handshakeFailures.labelValues(port, reason).inc();
  }

  /**
   * Exports a cache's hit ratio as {@code taskcert_cache_<name>_hit_ratio} and its approximate
   * number of entries as {@code taskcert_cache_<name>_entries}.
   */
  public void registerCache(String name, Cache<?, ?> cache) {
    GaugeWithCallback.builder()
        .name("taskcert_cache_" + name + "_hit_ratio")
        .help("Hit ratio of the " + name + " cache since start")
        .callback(callback -> callback.call(cache.stats().hitRate()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("taskcert_cache_" + name + "_entries")
        .help("Approximate number of entries in the " + name + " cache, expired ones not yet removed included")
        .callback(callback -> callback.call(cache.estimatedSize()))
        .register(registry);
  }
}
