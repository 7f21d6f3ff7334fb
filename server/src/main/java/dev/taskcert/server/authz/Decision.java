package dev.taskcert.server.authz;

import dev.taskcert.server.refusal.Refusal;

/**
 * The outcome of a scope check: {@link Allow}, {@link Deny} of a resource with a reason, or
 * {@link Conceal}: a denial answered exactly as if the resource did not exist, for resources whose
 * existence (and owner) the caller must not learn.
 */
public sealed interface Decision permits Decision.Allow, Decision.Deny, Decision.Conceal {

  /** The single allow value. */
  Decision ALLOW = new Allow();

  /** Creates a denial of {@code resource} with a reason a caller and an auditor can read. */
  static Decision deny(String resource, String reason) {
    return new Deny(resource, reason, reason);
  }

  /** Creates a denial that tells the caller {@code reason} and the audit record {@code auditDetail}. */
  static Decision deny(String resource, String reason, String auditDetail) {
    return new Deny(resource, reason, auditDetail);
  }

  /**
   * Creates a denial answered as NOT_FOUND with {@code message}, the same words an absent resource
   * gets; only the audit record says why ({@code auditDetail}).
   */
  static Decision conceal(String resource, String message, String auditDetail) {
    return new Conceal(resource, message, auditDetail);
  }

  /** Whether the call may proceed. */
  default boolean allowed() {
    return this instanceof Allow;
  }

  /**
   * Returns when this allows.
   *
   * @throws Refusal a denial (audited, and answered PERMISSION_DENIED, or NOT_FOUND when concealed,
   *     at the edge) when it does not
   */
  default void require() {
    if (this instanceof Deny deny) {
      throw Refusal.denied(deny.resource(), deny.reason(), deny.auditDetail());
    }
    if (this instanceof Conceal conceal) {
      throw Refusal.concealed(conceal.resource(), conceal.message(), conceal.auditDetail());
    }
  }

  /** The call may proceed. */
  record Allow() implements Decision {}

  /** The call is refused for {@code reason}; {@code resource} names what it asked for. */
  record Deny(String resource, String reason, String auditDetail) implements Decision {}

  /** The call is refused as if {@code resource} did not exist ({@code message}); the audit says why. */
  record Conceal(String resource, String message, String auditDetail) implements Decision {}
}
