package dev.taskcert.pki.identity;

/**
 * Thrown when a task identity, trust domain or SPIFFE ID is malformed or not in canonical form.
 * The message says which part is wrong and why, so it can be returned to a caller as-is.
 */
public final class InvalidIdentityException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidIdentityException(String message) {
    super(message);
  }
}
