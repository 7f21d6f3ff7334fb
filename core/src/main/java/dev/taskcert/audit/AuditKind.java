package dev.taskcert.audit;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of audit event, as the server records them and the audit log is filtered by: one
 * list for the server that writes events and the commands that read them.
 */
public enum AuditKind {
  /** A call refused by authorization. */
  DENY,
  /** A call without an acceptable certificate. */
  UNAUTHENTICATED,
  /** An enrollment refused (token unknown, used, expired; CSR refused). */
  ENROLL_REFUSED,
  /** A certificate issued. */
  ISSUE,
  /** Certificates revoked. */
  REVOKE,
  /** A try ended other than by itself: by an admin, its dag run, or the heartbeat sweep. */
  END,
  /** A try queued or resumed, with a new enrollment token. */
  QUEUE,
  /** An Admin API change. */
  ADMIN,
  /** A task's trigger or clear of a dag run. */
  TRIGGER,
  /** A call admitted in a finished try's post-terminal grace. */
  POST_TERMINAL;

  /** How events name it: {@code deny}, {@code enroll_refused}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every kind's label, in this order. */
  public static List<String> labels() {
    return Arrays.stream(values()).map(AuditKind::label).toList();
  }

  /** The kind an event's label names. */
  public static Optional<AuditKind> ofLabel(String label) {
    return Arrays.stream(values()).filter(kind -> kind.label().equals(label)).findFirst();
  }
}
