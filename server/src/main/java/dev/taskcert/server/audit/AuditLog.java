package dev.taskcert.server.audit;

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
 * rolled back, still leaves its audit row. Callers never pass secret values.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger("taskcert.audit");
  private static final int MAX_FIELD = 1024;

  /** What kind of decision an event records. */
  public enum Kind {
    DENY,
    UNAUTHENTICATED,
    ENROLL_REFUSED,
    ISSUE,
    REVOKE,
    END,
    QUEUE,
    ADMIN,
    /** A task's trigger or clear of a dag run. */
    TRIGGER,
    /** A call admitted in a finished try's post-terminal grace. */
    POST_TERMINAL;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

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
  public void record(Kind kind, String principal, String rpc, String resource, String detail) {
    count(kind, resource);
    write(kind, principal, rpc, resource, detail);
  }

  /** Counts one event in the metrics without writing it (one of many that a summary event covers). */
  void count(Kind kind, String resource) {
    metrics.audited(kind.label());
    if (kind == Kind.DENY || kind == Kind.UNAUTHENTICATED || kind == Kind.ENROLL_REFUSED) {
      metrics.denied(kind.label(), resourceType(resource));
    }
  }

  /**
   * Writes one event as a log line and a row, without counting it. Every field of the line is
   * escaped, so text from a request can neither end the line nor forge a field of it; the row keeps
   * the text as it was.
   */
  void write(Kind kind, String principal, String rpc, String resource, String detail) {
    String p = clip(principal);
    String r = clip(rpc);
    String res = clip(resource);
    String d = clip(detail);
    log.info("audit kind={} principal={} rpc={} resource={} detail={}",
        kind.label(), LogText.field(p), LogText.field(r), LogText.field(res), LogText.quoted(d == null ? "" : d));
    try {
      transactions.withMapper(AuditMapper.class, mapper -> {
        mapper.insert(kind.label(), p, r, res, d);
        return null;
      });
    } catch (RuntimeException e) {
      // The log line above is the record of last resort when the database is unavailable.
      log.warn("audit event could not be stored: {}", LogText.escape(e.toString()));
    }
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
