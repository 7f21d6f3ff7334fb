package dev.taskcert.pki.issuance;

/** Thrown when a certification request is malformed, badly signed, or uses a key the CA refuses. */
public final class CsrRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  public CsrRejectedException(String message) {
    super(message);
  }
}
