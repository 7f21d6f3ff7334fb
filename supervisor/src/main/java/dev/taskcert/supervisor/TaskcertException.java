package dev.taskcert.supervisor;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Why a call to the server failed, as a small hierarchy a supervisor can act on: denied (stop
 * asking), task no longer live (stop the task), bad input (a bug), unavailable (retry later).
 */
public abstract sealed class TaskcertException extends RuntimeException
    permits TaskcertException.PermissionDenied,
        TaskcertException.TaskNotLive,
        TaskcertException.NotAuthenticated,
        TaskcertException.InvalidRequest,
        TaskcertException.NotFound,
        TaskcertException.Unavailable,
        TaskcertException.Failed {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;

  TaskcertException(StatusRuntimeException cause) {
    super(cause.getStatus().getDescription() == null
        ? cause.getStatus().getCode().toString()
        : cause.getStatus().getCode() + ": " + cause.getStatus().getDescription(), cause);
    this.code = cause.getStatus().getCode();
  }

  /** The gRPC status code the server answered with. */
  public Status.Code code() {
    return code;
  }

  /** Maps a gRPC failure to the matching exception. */
  public static TaskcertException from(StatusRuntimeException e) {
    return switch (e.getStatus().getCode()) {
      case PERMISSION_DENIED -> new PermissionDenied(e);
      case FAILED_PRECONDITION -> new TaskNotLive(e);
      case UNAUTHENTICATED -> new NotAuthenticated(e);
      case INVALID_ARGUMENT, OUT_OF_RANGE -> new InvalidRequest(e);
      case NOT_FOUND -> new NotFound(e);
      case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED -> new Unavailable(e);
      default -> new Failed(e);
    };
  }

  /** The caller is not allowed this resource (another team's, or undeclared). */
  public static final class PermissionDenied extends TaskcertException {
    private static final long serialVersionUID = 1L;

    PermissionDenied(StatusRuntimeException cause) {
      super(cause);
    }
  }

  /** The caller's try is no longer current or not in a state the call needs. */
  public static final class TaskNotLive extends TaskcertException {
    private static final long serialVersionUID = 1L;

    TaskNotLive(StatusRuntimeException cause) {
      super(cause);
    }
  }

  /** The certificate or enrollment token was not accepted. */
  public static final class NotAuthenticated extends TaskcertException {
    private static final long serialVersionUID = 1L;

    NotAuthenticated(StatusRuntimeException cause) {
      super(cause);
    }
  }

  /** The request was malformed or out of bounds. */
  public static final class InvalidRequest extends TaskcertException {
    private static final long serialVersionUID = 1L;

    InvalidRequest(StatusRuntimeException cause) {
      super(cause);
    }
  }

  /** The named resource does not exist. */
  public static final class NotFound extends TaskcertException {
    private static final long serialVersionUID = 1L;

    NotFound(StatusRuntimeException cause) {
      super(cause);
    }
  }

  /** The server or its database is unreachable for now; retrying later may succeed. */
  public static final class Unavailable extends TaskcertException {
    private static final long serialVersionUID = 1L;

    Unavailable(StatusRuntimeException cause) {
      super(cause);
    }
  }

  /** Any other failure. */
  public static final class Failed extends TaskcertException {
    private static final long serialVersionUID = 1L;

    Failed(StatusRuntimeException cause) {
      super(cause);
    }
  }
}
