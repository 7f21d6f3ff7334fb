package dev.taskcert.server.authz;

import dev.taskcert.server.refusal.Refusal;

/** The outcome of a scope check: {@link Allow} or {@link Deny} of a resource with a reason. */
public sealed interface Decision permits Decision.Allow, Decision.Deny {

  /** The single allow value. */
  Decision ALLOW = new Allow();

  /** Creates a denial of {@code resource} with a reason a caller and an auditor can read. */
  static Decision deny(String resource, String reason) {
    return new Deny(resource, reason);
  }

  /** Whether the call may proceed. */
  default boolean allowed() {
    return this instanceof Allow;
  }

  /**
   * Returns when this allows.
   *
   * @throws Refusal a denial (audited and answered PERMISSION_DENIED at the edge) when it denies
   */
  default void require() {
    if (this instanceof Deny deny) {
      throw Refusal.denied(deny.resource(), deny.reason());
    }
  }

  /** The call may proceed. */
  record Allow() implements Decision {}

  /** The call is refused for {@code reason}; {@code resource} names what it asked for. */
  record Deny(String resource, String reason) implements Decision {}
}
