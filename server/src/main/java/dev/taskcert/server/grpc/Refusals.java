package dev.taskcert.server.grpc;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.pki.identity.InvalidIdentityException;
import dev.taskcert.server.audit.AnonymousRefusals;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.text.LogText;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import org.apache.ibatis.exceptions.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path from a failed call to the status its caller gets: a {@link Refusal} is audited when
 * it is a security event and mapped by its kind; an unreachable database is UNAVAILABLE; anything
 * unexpected is INTERNAL, with the details in the server log only. The front door's refusals and
 * the services' go through here alike.
 */
public final class Refusals {
  private static final Logger log = LoggerFactory.getLogger(Refusals.class);

  private final AuditLog audit;
  private final AnonymousRefusals anonymous;

  @Inject
  Refusals(AuditLog audit, AnonymousRefusals anonymous) {
    this.audit = audit;
    this.anonymous = anonymous;
  }

  /**
   * Audits {@code failure} if it is a refusal that must be, and returns the status to close the
   * call with.
   *
   * @param method the full method name of the call
   * @param callerId the caller's SPIFFE ID, or {@code null} when it has none
   */
  public Status toStatus(Throwable failure, String method, String callerId) {
    if (failure instanceof Refusal refusal) {
      if (refusal.audit() == AuditKind.ENROLL_REFUSED && callerId == null) {
        // Anyone can cause these at will: recorded per address and kind, the repeats counted.
        anonymous.record(PeerAddresses.current(), method, refusal.resource(), refusal.auditDetail());
      } else if (refusal.audit() != null) {
        audit.record(refusal.audit(), callerId, method, refusal.resource(), refusal.auditDetail());
      }
      return statusOf(refusal.kind()).withDescription(refusal.getMessage());
    }
    if (failure instanceof StatusRuntimeException status) {
      return status.getStatus();
    }
    if (failure instanceof InvalidIdentityException) {
      return Status.INVALID_ARGUMENT.withDescription(failure.getMessage());
    }
    if (failure instanceof PersistenceException && databaseUnreachable(failure)) {
      log.warn("database unavailable during {}: {}", method, LogText.escape(failure.toString()));
      return Status.UNAVAILABLE.withDescription("database unavailable; retry later");
    }
    log.error("unexpected error during {}", method, LogText.escapeFailure(failure));
    return Status.INTERNAL.withDescription("internal error");
  }

  private static Status statusOf(Refusal.Kind kind) {
    return switch (kind) {
      case INVALID_REQUEST -> Status.INVALID_ARGUMENT;
      case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
      case NOT_FOUND -> Status.NOT_FOUND;
      case NOT_AUTHENTICATED -> Status.UNAUTHENTICATED;
      case NOT_PERMITTED -> Status.PERMISSION_DENIED;
      case WRONG_STATE -> Status.FAILED_PRECONDITION;
      case EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case EXISTS -> Status.ALREADY_EXISTS;
    };
  }

  /**
   * Whether a failure means the database could not be reached or went away: a transient or
   * recoverable SQL exception, a connection exception (SQLSTATE class 08) or an operator
   * intervention such as a shutdown (class 57P), anywhere in the cause chain.
   */
  static boolean databaseUnreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }
}
