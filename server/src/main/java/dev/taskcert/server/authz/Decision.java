package dev.taskcert.server.authz;

/** The outcome of an authorization check: {@link Allow} or {@link Deny} with a reason. */
public sealed interface Decision permits Decision.Allow, Decision.Deny {

  /** The single allow value. */
  Decision ALLOW = new Allow();

  /** Creates a denial with a reason a caller and an auditor can read. */
  static Decision deny(String reason) {
    return new Deny(reason);
  }

  /** The call may proceed. */
  record Allow() implements Decision {}

  /** The call is refused with PERMISSION_DENIED for {@code reason}. */
  record Deny(String reason) implements Decision {}
}
