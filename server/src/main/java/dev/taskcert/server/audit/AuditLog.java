package dev.taskcert.server.audit;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.text.LogText;
import dev.taskcert.server.metrics.ServerMetrics;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records security-relevant decisions (denials, refused enrollments, issuance, queuing) both as a
 * structured log line on the {@code taskcert.audit} logger and as a row in {@code audit_event}.
 *
 * <p>Each event is written in its own transaction so that a refused request, whose own work is
 * rolled back, still leaves its audit row. Work that must never be stored without its event (an
 * issued certificate) stores the event's row in its own statement instead, built by {@link #event}
 * and announced by {@link #stored} once the statement did it. Callers never pass secret values.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger("taskcert.audit");
  private static final int MAX_FIELD = 1024;

  private final Transactions transactions;
  private final ServerMetrics metrics;

  @Inject
  AuditLog(Transactions transactions, ServerMetrics metrics) {
    this.transactions = transactions;
    this.metrics = metrics;
  }

  /**
   * Records one event.
   *
   * @param principal SPIFFE ID of the caller, if known
   * @param rpc full gRPC method name, if the event came from an RPC
   * @param resource what was concerned, for example {@code variable:payments_api_url}
   * @param detail the reason for a denial, or what was done
   */
  public void record(AuditKind kind, String principal, String rpc, String resource, String detail) {
    count(kind, resource);
    write(kind, principal, rpc, resource, detail);
  }

  /**
   * One event as it is stored, for a statement that stores it together with the work it records
   * (see {@link AuditMapper#INSERT}); nothing is counted or logged until {@link #stored}.
   */
  public AuditEvent event(AuditKind kind, String principal, String rpc, String resource, String detail) {
    return new AuditEvent(kind.label(), clip(principal), clip(rpc), clip(resource), clip(detail));
  }

  /** Counts and logs an event whose row the statement that did its work has stored. */
  public void stored(AuditEvent event) {
    count(event.kind(), event.resource());
    logLine(event);
  }

  /** Counts one event in the metrics without writing it (one of many that a summary event covers). */
  void count(AuditKind kind, String resource) {
    count(kind.label(), resource);
  }

  private void count(String kind, String resource) {
    metrics.audited(kind);
    if (kind.equals(AuditKind.DENY.label()) || kind.equals(AuditKind.UNAUTHENTICATED.label())
        || kind.equals(AuditKind.ENROLL_REFUSED.label())) {
      metrics.denied(kind, resourceType(resource));
    }
  }

  /** Writes one event as a log line and a row, without counting it. */
  void write(AuditKind kind, String principal, String rpc, String resource, String detail) {
    AuditEvent event = event(kind, principal, rpc, resource, detail);
    logLine(event);
    try {
      transactions.withMapper(AuditMapper.class, mapper -> {
        mapper.insert(event);
        return null;
      });
    } catch (RuntimeException e) {
      // The log line above is the record of last resort when the database is unavailable.
      log.warn("audit event could not be stored: {}", LogText.escape(e.toString()));
    }
  }

  /**
   * The event's log line. Every field is escaped, so text from a request can neither end the line
   * nor forge a field of it; the row keeps the text as it was.
   */
  private static void logLine(AuditEvent event) {
    log.info("audit kind={} principal={} rpc={} resource={} detail={}", event.kind(), LogText.field(event.principal()),
        LogText.field(event.rpc()), LogText.field(event.resource()),
        LogText.quoted(event.detail() == null ? "" : event.detail()));
  }

  /** The part of a resource name before ':' ("variable:key" gives "variable"), or "none". */
  static String resourceType(String resource) {
    if (resource == null || resource.isEmpty()) {
      return "none";
    }
    int colon = resource.indexOf(':');
    String type = colon < 0 ? resource : resource.substring(0, colon);
    return type.matches("[a-z_]{1,32}") ? type : "other";
  }

  private static String clip(String value) {
    if (value == null || value.length() <= MAX_FIELD) {
      return value;
    }
    return value.substring(0, MAX_FIELD) + "...";
  }
}
